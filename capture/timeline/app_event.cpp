#include "capture/timeline/app_event.hpp"

namespace lab::timeline {

const char* app_call_name(AppCall call) {
  switch (call) {
    case AppCall::listen: return "listen";
    case AppCall::connect: return "connect";
    case AppCall::connected: return "connected";
    case AppCall::accept: return "accept";
    case AppCall::send: return "send";
    case AppCall::recv: return "recv";
    case AppCall::eof: return "eof";
    case AppCall::shutdown: return "shutdown";
    case AppCall::close: return "close";
    case AppCall::timeout: return "timeout";
    case AppCall::error: return "error";
  }
  return "error";
}

}  // namespace lab::timeline
