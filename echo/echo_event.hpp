#pragma once
// What the echo programs report to whoever runs them: each application call (listen, connect, accept, send,
// recv, close...) with its time, its bytes and, for TCP, the kernel's own view of the socket's state.
// Plain values: no Asio here, and nothing about packet capture.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace lab::echo {

enum class Actor : std::uint8_t { client, server };

enum class EventKind : std::uint8_t {
  listen,     // server: listen() (TCP) or bind() (UDP) done, ready for clients
  connect,    // client: about to call connect() (TCP: the SYN follows)
  connected,  // client: connect() returned, the handshake is complete from the client's side
  accept,     // server: accept() returned a new connection
  send,       // about to call send()/sendto(): the data follows on the wire
  recv,       // recv()/recvfrom() returned data
  eof,        // TCP recv() returned 0: the peer closed its sending side (its FIN arrived)
  shutdown,   // TCP: about to call shutdown(SHUT_WR): our FIN follows, yet we can still receive
  close,      // about to call close()
  timeout,    // a wait ended without an answer (e.g. UDP reply never came)
  error,      // a call failed; `detail` says how
};

struct EchoEvent {
  std::int64_t time_ns = 0;   // CLOCK_REALTIME: before a call that sends, after a call that receives
  Actor actor = Actor::client;
  EventKind kind = EventKind::send;
  std::string local;          // "127.0.0.1:48258" ("[::1]:48258" for IPv6), empty if none yet
  std::string peer;           // the other end, empty if none
  std::size_t bytes = 0;      // send/recv: number of bytes, all of them
  std::string data;           // send/recv: the first bytes, at most event_data_limit (may be binary: whoever
                              // prints them must escape them); data.size() < bytes means there were more
  std::string kernel_state;   // TCP: the socket's state from getsockopt(TCP_INFO) right after the call,
                              // as an RFC 9293 name ("ESTABLISHED", "CLOSE-WAIT"); empty when not observable
  std::string detail;         // error/timeout: what happened; close: how, when it is not a plain close
                              // ("SO_LINGER 0: abortive close")
  bool resets = false;        // close: its kernel resets the connection (RST) instead of closing it (FIN)
  bool tls = false;           // send/recv through TLS (SSL_write/SSL_read): `data` and `bytes` are the plaintext;
                              // `detail` says what went on the wire
};

// EchoEvent::data keeps only the first bytes: enough to recognise a message in a timeline, while a
// 100 kB transfer is not copied into every event nor printed whole. `bytes` always has the true count.
inline constexpr std::size_t event_data_limit = 64;

using EchoEventSink = std::function<void(const EchoEvent&)>;

const char* actor_name(Actor actor);          // "client" / "server"
const char* event_kind_name(EventKind kind);  // "listen", "connect", ...

}  // namespace lab::echo
