#pragma once
// Settings of the echo servers and clients. Defaults are the classic socket-tutorial ones.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lab::echo {

inline constexpr std::uint16_t default_tcp_port = 65432;
inline constexpr std::uint16_t default_udp_port = 5005;

class CloseTogether;  // echo/close_together.hpp, made by make_close_together() (echo.hpp): lets a client and a
                      // server close at the same instant

// How the TCP server ends a connection. Each is a lesson in what goes on the wire.
enum class ServerClose : std::uint8_t {
  after_client,   // echo until the client closes (recv() returns 0), then close: the client closes first
  first,          // echo the first message (what the first recv() returns), then close at once: the server
                  // closes first (pair it with ClientClose::after_server)
  unread,         // never read: when data arrives, close with it unread in the receive buffer (the kernel sends RST)
  together,       // echo the first message, then close at the same instant as the client (see CloseTogether)
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal ("::1")
  std::uint16_t port = 0;          // 0: let the kernel choose (tests); the labs pass the defaults above
  ServerClose close = ServerClose::after_client;
  std::shared_ptr<CloseTogether> close_together{};  // required for ServerClose::together ({}: GCC bug 96868)
  std::chrono::milliseconds read_pause{0};  // wait this long before each recv(): a slow reader lets the window fill
  std::chrono::milliseconds first_read_pause{0};  // wait this long before a connection's first recv() only
  int receive_buffer = 0;          // SO_RCVBUF on the listening socket (inherited by connections); 0: the default
  std::uint16_t mss = 0;           // TCP_MAXSEG on the listening socket: the MSS its SYN-ACKs announce; 0: default
};

// How the TCP client ends its connection.
enum class ClientClose : std::uint8_t {
  normal,      // close() after the last echo: FIN
  abort,       // SO_LINGER {on, 0 s} then close(): RST instead of FIN, anything unsent is thrown away
  half_close,  // shutdown(SHUT_WR) right after sending every message, then read the echoes until end of file
  together,    // close at the same instant as the server (see CloseTogether)
  after_server,  // after the last echo, recv() until it returns 0 (the server's FIN), then close: the server
                 // closes first (ServerClose::first)
};

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::vector<std::string> messages{"Hello?"};  // sent one after the other, each echo read before the next
  int lines_fd = -1;  // >= 0: instead of `messages`, each line read from this descriptor (stdin: 0) until its end,
                      // as it comes (echo/message_source.hpp); not with ClientClose::half_close
  std::chrono::milliseconds reply_timeout{2000};  // a reply not back by then ends the client with a timeout
  std::chrono::milliseconds connect_timeout{3000};  // TCP: a handshake not done by then ends the client too
  ClientClose close = ClientClose::normal;
  std::shared_ptr<CloseTogether> close_together{};  // required for ClientClose::together
  std::uint16_t mss = 0;       // TCP_MAXSEG before connect(): smaller segments, visible on loopback; 0: default
  bool connect_udp = false;    // UDP: connect() the socket first, so that an ICMP error is reported to it
  bool keep_going_after_timeout = false;  // UDP: a reply that never comes is counted lost, the next message goes
};

// How a client run ended.
struct ClientResult {
  bool ok = false;
  std::string error;  // one line, for the student, when !ok ("connection refused: nobody listens on ...")
};

}  // namespace lab::echo
