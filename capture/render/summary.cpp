#include "capture/render/summary.hpp"

namespace lab::render {

const char* ending_name(Ending ending) {
  switch (ending) {
    case Ending::closed: return "closed";
    case Ending::reset: return "reset";
    case Ending::open: return "open";
  }
  return "open";
}

ConversationFacts facts_of(const lab::flow::Conversation& c) {
  using lab::flow::Role;
  using lab::flow::TcpState;
  ConversationFacts f;
  for (const auto& side : c.sent) {
    f.packets += side.packets;
    f.payload_bytes += side.payload_bytes;
    f.resent_bytes += side.resent_bytes;
    f.wire_bytes += side.wire_bytes;
  }
  if (c.syn_time_ns >= 0 && c.syn_ack_time_ns >= 0) f.syn_to_syn_ack_ns = c.syn_ack_time_ns - c.syn_time_ns;
  // Wireshark's initial RTT (tcp.analysis.initial_rtt): from the latest SYN, not the first one that may have been lost.
  if (c.first_rtt_ns != 0) f.initial_rtt_ns = c.first_rtt_ns;
  else if (c.syn_time_ns >= 0 && c.handshake_done_ns >= 0) f.initial_rtt_ns = c.handshake_done_ns - c.syn_time_ns;
  const auto& client = c.side(Role::client);
  const auto& server = c.side(Role::server);
  f.any_fin = client.fin_sent || server.fin_sent;
  if (c.first_to_close) f.closed_first = *c.first_to_close;
  const bool both_done = (client.state == TcpState::time_wait || client.state == TcpState::closed) &&
                         (server.state == TcpState::time_wait || server.state == TcpState::closed);
  if (c.reset) f.ending = Ending::reset;
  else if (c.key.protocol == 6 && both_done && f.any_fin) f.ending = Ending::closed;
  return f;
}

}  // namespace lab::render
