#include "echo/echo_event.hpp"

namespace lab::echo {

const char* actor_name(Actor actor) {
  switch (actor) {
    case Actor::client: return "client";
    case Actor::server: return "server";
  }
  return "?";
}

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::listen: return "listen";
    case EventKind::connect: return "connect";
    case EventKind::connected: return "connected";
    case EventKind::accept: return "accept";
    case EventKind::send: return "send";
    case EventKind::recv: return "recv";
    case EventKind::eof: return "eof";
    case EventKind::shutdown: return "shutdown";
    case EventKind::close: return "close";
    case EventKind::timeout: return "timeout";
    case EventKind::error: return "error";
  }
  return "?";
}

}  // namespace lab::echo
