#pragma once
// `lab http-ping`: the web lab's HTTP server and client (web/http_ping.hpp) in the echo labs' place, captured and
// explained by the same timeline. It is run_echo_lab() with Application::http_ping (labs/exchange.cpp starts the
// HTTP programs instead of the echo ones): isolation, the two hosts for faults, the renderers and the exchange are
// the echo labs' own; what is the web lab's alone is here.
#include <string>

#include "labs/echo_lab.hpp"

namespace lab::labs {

// The closing tip of an http-ping run: who closed first and why, and where to go next.
std::string http_next_lesson(const EchoLabOptions& options);

}  // namespace lab::labs
