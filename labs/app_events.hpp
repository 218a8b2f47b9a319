#pragma once
// The bridge between the echo programs' reports and the capture core's timeline (neither knows the other).
#include "capture/timeline/app_event.hpp"
#include "echo/echo_event.hpp"

namespace lab::labs {

lab::timeline::AppEvent to_app_event(const lab::echo::EchoEvent& event, bool tcp);

}  // namespace lab::labs
