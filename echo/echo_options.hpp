#pragma once
// Settings of the echo servers and clients. Defaults are the classic socket-tutorial ones.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace lab::echo {

inline constexpr std::uint16_t default_tcp_port = 65432;
inline constexpr std::uint16_t default_udp_port = 5005;

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal ("::1")
  std::uint16_t port = 0;          // 0: let the kernel choose (tests); the labs pass the defaults above
};

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::vector<std::string> messages{"Hello?"};  // sent one after the other, each echo read before the next
  std::chrono::milliseconds reply_timeout{2000};  // a reply not back by then ends the client with a timeout
  std::chrono::milliseconds connect_timeout{3000};  // TCP: a handshake not done by then ends the client too
};

// How a client run ended.
struct ClientResult {
  bool ok = false;
  std::string error;  // one line, for the student, when !ok ("connection refused: nobody listens on ...")
};

}  // namespace lab::echo
