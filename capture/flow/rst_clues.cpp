#include "capture/flow/rst_clues.hpp"

#include <algorithm>

#include "capture/flow/rst_reading.hpp"
#include "capture/flow/seq.hpp"

namespace lab::flow {

const char* rst_clue_name(RstClue clue) {
  switch (clue) {
    case RstClue::none: return "none";
    case RstClue::data_after_close: return "data-after-close";
    case RstClue::unread_data: return "unread-data";
    case RstClue::idle: return "idle";
    case RstClue::other_ttl: return "other-ttl";
  }
  return "none";
}

RstClues read_rst_clues(const Conversation& c, Role from, const lab::decode::TcpHeader& h, std::uint8_t ttl,
                        std::int64_t time_ns) {
  RstClues clues;
  const TcpSide& sender = c.side(from);
  const TcpSide& peer = c.side(other(from));
  const SideCounters& sent = c.sent[static_cast<int>(from)];
  clues.ttl = ttl;
  clues.sender_ttl_before = sent.packets > 0 ? sent.last_ttl : 0;
  // The silence before it, or before the packet it answers: a firewall that forgot an idle connection resets the
  // first packet after the silence.
  clues.idle_ns = c.last_packet_index != 0 ? std::max(time_ns - c.last_time_ns, c.previous_gap_ns) : 0;
  if (sender.fin_sent) clues.own_fin_packet = sender.fin_packet;
  // The other side's latest data segment the tracker remembers (its SYN, which also takes a number, left out).
  const SentSegment* latest = nullptr;
  for (const SentSegment& s : peer.recent) {
    if (s.packet_index == 0 || s.end_seq == s.seq || (peer.syn_sent && s.seq == peer.isn)) continue;
    if (!latest || s.packet_index > latest->packet_index) latest = &s;
  }
  if (latest) {
    clues.peer_data_packet = latest->packet_index;
    clues.since_peer_data_ns = time_ns - latest->time_ns;
    clues.acks_peer_data = h.has(lab::decode::tcp_flag::ack) && seq_diff(latest->end_seq, h.ack) >= 0 && !latest->dropped;
    clues.peer_data_after_fin = sender.fin_sent && latest->packet_index > sender.fin_packet && !latest->copy;
  }
  // A TTL the sender's packets never had comes first: a forged reset may acknowledge correctly all the same.
  if (clues.sender_ttl_before != 0 && ttl != clues.sender_ttl_before) clues.clue = RstClue::other_ttl;
  else if (clues.peer_data_after_fin) clues.clue = RstClue::data_after_close;
  else if (clues.acks_peer_data) clues.clue = RstClue::unread_data;
  else if (clues.idle_ns >= rst_idle_threshold_ns) clues.clue = RstClue::idle;
  return clues;
}

}  // namespace lab::flow
