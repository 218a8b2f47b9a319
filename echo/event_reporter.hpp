#pragma once
// Turns "the program is about to call, or has just returned from, X on this socket" into an EchoEvent:
// the time, both endpoints and, for TCP, the kernel's state of the socket, all read at that moment.
// So: report right before a call that sends packets (connect, send, close) and right after one that
// receives (accept, recv).
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "echo/echo_event.hpp"

namespace lab::echo {

// The parts of an event that the socket itself cannot tell.
struct EventDetails {
  // (The `{}` keep GCC from warning about members left out of `{.data = ...}`: GCC bug 96868.)
  std::string_view data{};  // send/recv: the bytes (the event keeps the first event_data_limit of them)
  std::string detail{};     // error/timeout: what happened; close: how, when it is not a plain close
  std::string peer{};       // the other end when the socket does not know it (yet): before connect() returns
  bool resets = false;      // close: the kernel answers it with RST, not FIN (SO_LINGER 0, or unread data)
  bool tls = false;         // send/recv: the call went through TLS (SSL_write/SSL_read): `data` is the plaintext
};

// Sockets are taken by non-const reference only because Asio's native_handle() is not const: nothing is changed.
class EventReporter {
 public:
  EventReporter(Actor actor, EchoEventSink sink);

  void operator()(EventKind kind, asio::ip::tcp::socket& socket, const EventDetails& details = {}) const;
  void operator()(EventKind kind, asio::ip::tcp::acceptor& acceptor, const EventDetails& details = {}) const;
  // A UDP socket has no connection, so no peer of its own: the peer is where a datagram goes or came from.
  void operator()(EventKind kind, asio::ip::udp::socket& socket, const asio::ip::udp::endpoint& peer,
                  const EventDetails& details = {}) const;

  void mute();  // report nothing from now on: whoever listened may be gone

 private:
  EchoEvent start_event(EventKind kind) const;
  void finish_and_report(EchoEvent event, const EventDetails& details) const;

  Actor actor_;
  EchoEventSink sink_;
  // Each connected socket's peer, by descriptor, as last seen: after a reset or once the connection has gone to
  // TIME-WAIT the kernel no longer tells it (getpeername fails), yet the call still belongs to that connection.
  // Shared by the copies of this reporter.
  std::shared_ptr<std::unordered_map<int, std::string>> peers_;
};

// The close event, then close(): in that order, because the event carries the state the socket is in
// when the program closes it, and after close() there is no socket left to ask.
// `more`: what report() takes after the socket: for UDP the peer; for TCP nothing, or EventDetails.
template <class Socket, class... More>
void report_and_close(const EventReporter& report, Socket& socket, const More&... more) {
  report(EventKind::close, socket, more...);
  asio::error_code ignored;  // close() only fails on a descriptor that is not open
  socket.close(ignored);
}

}  // namespace lab::echo
