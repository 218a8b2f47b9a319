#include "labs/app_events.hpp"

namespace lab::labs {
namespace {

lab::timeline::AppCall to_call(lab::echo::EventKind kind) {
  using lab::echo::EventKind;
  using lab::timeline::AppCall;
  switch (kind) {
    case EventKind::listen: return AppCall::listen;
    case EventKind::connect: return AppCall::connect;
    case EventKind::connected: return AppCall::connected;
    case EventKind::accept: return AppCall::accept;
    case EventKind::send: return AppCall::send;
    case EventKind::recv: return AppCall::recv;
    case EventKind::eof: return AppCall::eof;
    case EventKind::shutdown: return AppCall::shutdown;
    case EventKind::close: return AppCall::close;
    case EventKind::timeout: return AppCall::timeout;
    case EventKind::error: return AppCall::error;
  }
  return AppCall::error;
}

}  // namespace

lab::timeline::AppEvent to_app_event(const lab::echo::EchoEvent& e, bool tcp) {
  lab::timeline::AppEvent a;
  a.time_ns = e.time_ns;
  a.actor = e.actor == lab::echo::Actor::client ? lab::flow::Role::client : lab::flow::Role::server;
  a.call = to_call(e.kind);
  a.tcp = tcp;
  a.local = e.local;
  a.peer = e.peer;
  a.bytes = e.bytes;
  a.data = e.data;
  a.kernel_state = e.kernel_state;
  a.detail = e.detail;
  a.resets = e.resets;
  a.tls = e.tls;
  return a;
}

}  // namespace lab::labs
