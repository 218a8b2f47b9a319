#include "capture/flow/conversation.hpp"

#include <charconv>

namespace lab::flow {

void append_endpoint(std::string& out, const Endpoint& endpoint) {
  char ip[64];
  const std::size_t n = lab::decode::format_ip(endpoint.ip, ip);
  if (endpoint.ip.version == 6) out += '[';
  out.append(ip, n);
  if (endpoint.ip.version == 6) out += ']';
  char port[8] = {':'};
  const auto end = std::to_chars(port + 1, port + sizeof port, endpoint.port).ptr;
  out.append(port, end);
}

std::string to_string(const Endpoint& endpoint) {
  std::string s;
  append_endpoint(s, endpoint);
  return s;
}

bool Conversation::ended() const {
  if (reset) return true;
  auto done = [](TcpState s) { return s == TcpState::closed || s == TcpState::time_wait; };
  return key.protocol == 6 && done(tcp[0].state) && done(tcp[1].state);
}

const char* role_name(Role role) { return role == Role::client ? "client" : "server"; }

const char* phase_name(Phase phase) {
  switch (phase) {
    case Phase::handshake: return "handshake";
    case Phase::data: return "data";
    case Phase::teardown: return "teardown";
    case Phase::reset: return "reset";
  }
  return "data";
}

}  // namespace lab::flow
