#pragma once
// An application call in the timeline (connect, send, recv, close...), next to the packets it caused.
// Filled in by whoever runs the applications (the labs), so that the core knows nothing of how they run.
#include <cstddef>
#include <cstdint>
#include <string>

#include "capture/flow/conversation.hpp"

namespace lab::timeline {

enum class AppCall : std::uint8_t { listen, connect, connected, accept, send, recv, eof, shutdown, close, timeout, error };
const char* app_call_name(AppCall call);  // the JSON "event" value: "listen", "connect", ...

struct AppEvent {
  std::int64_t time_ns = 0;     // same clock as the packet timestamps (CLOCK_REALTIME)
  lab::flow::Role actor = lab::flow::Role::client;
  AppCall call = AppCall::send;
  bool tcp = true;              // which protocol the socket speaks
  std::string local;            // "127.0.0.1:48258"
  std::string peer;
  std::size_t bytes = 0;
  std::string data;             // raw bytes: renderers escape them
  std::string kernel_state;     // the kernel's TCP state of the socket right after the call (TCP_INFO), or ""
  std::string detail;
  bool resets = false;          // close: the kernel answers it with RST, not FIN (SO_LINGER 0, unread data)
  bool tls = false;             // send/recv through TLS (SSL_write/SSL_read): `data` is plaintext, `detail` the wire's
};

}  // namespace lab::timeline
