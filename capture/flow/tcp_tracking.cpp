#include "capture/flow/tcp_tracking.hpp"

#include <algorithm>

#include "capture/flow/seq.hpp"
#include "capture/flow/tcp_analysis.hpp"

namespace lab::flow {
namespace {

using lab::decode::TcpHeader;
namespace flag = lab::decode::tcp_flag;

bool at_or_after(std::uint32_t a, std::uint32_t b) { return !seq_before(a, b); }  // a >= b, mod 2^32

// Relative numbers start at each side's ISN. A side first seen without its SYN (the capture started
// mid-connection) gets the base that makes its first sequence number 1, as Wireshark does.
void learn_bases(TcpSide& sender, TcpSide& receiver, const TcpHeader& h) {
  if (h.has(flag::syn)) {
    if (!sender.syn_sent) {
      sender.isn = h.seq;
      sender.base_known = true;
    }
  } else if (!sender.base_known) {
    sender.isn = h.seq - 1;
    sender.base_known = true;
  }
  if (h.has(flag::ack) && !receiver.base_known) {
    receiver.isn = h.ack - 1;
    receiver.base_known = true;
  }
}

// What the ACK field tells: how much is newly confirmed, whether it confirms the receiver's SYN or FIN, which
// earlier packet it completes, and how many of the receiver's segments it confirms at once (ACKs are cumulative).
// What it says, not what it does: an ACK the lab dropped is explained for what it says but confirms nothing, and the
// next delivered ACK is the one that does. (The sender's highest_ack moves as it sends one that is not dropped.)
void read_ack(const TcpSide& sender, const TcpSide& receiver, const TcpHeader& h, std::int64_t time_ns,
              TcpObservation& o) {
  if (!h.has(flag::ack)) return;
  const std::uint32_t previous = sender.ack_seen ? sender.highest_ack : receiver.isn;
  if (seq_after(h.ack, previous)) o.newly_acked = h.ack - previous;
  if (o.newly_acked > 0) {
    for (const SentSegment& segment : receiver.recent) {
      if (segment.packet_index == 0) continue;
      // The packet whose end it confirms: one that arrived (a dropped one confirms nothing), the first if several did.
      if (segment.end_seq == h.ack && !segment.dropped &&
          (o.acked_packet == 0 || segment.packet_index < o.acked_packet)) {
        o.acked_packet = segment.packet_index;
        o.acked_packet_age_ns = time_ns - segment.time_ns;
      }
      // Confirmed now: a data segment that arrived, ending after the previous ACK and no later than this one (a copy
      // of one already counted is not another segment).
      if (segment.dropped || segment.copy || segment.end_seq == segment.seq || !seq_after(segment.end_seq, previous) ||
          seq_after(segment.end_seq, h.ack))
        continue;
      ++o.acked_segments;
      if (o.first_acked_packet == 0 || segment.packet_index < o.first_acked_packet)
        o.first_acked_packet = segment.packet_index;
      if (segment.packet_index > o.last_acked_packet) o.last_acked_packet = segment.packet_index;
    }
  }
}

// What the ACK field does once it reaches the receiver: its SYN or FIN is acknowledged.
void receive_ack(TcpSide& receiver, const TcpHeader& h, TcpObservation& o) {
  if (!h.has(flag::ack)) return;
  if (receiver.syn_sent && !receiver.syn_acked && at_or_after(h.ack, receiver.isn + 1)) {
    receiver.syn_acked = true;
    o.acks_syn = true;
  }
  if (receiver.fin_sent && !receiver.fin_acked && at_or_after(h.ack, receiver.fin_seq + 1)) {
    receiver.fin_acked = true;
    o.acks_fin = true;
  }
}

void remember_segment(TcpSide& sender, std::uint32_t seq, std::uint32_t end_seq, std::uint32_t packet_index,
                      std::int64_t time_ns, bool dropped, bool copy) {
  sender.recent[sender.recent_next] = SentSegment{seq, end_seq, packet_index, dropped, copy, time_ns};
  sender.recent_next = static_cast<std::uint8_t>((sender.recent_next + 1) % sender.recent.size());
}

// The options a side announces in its SYN hold for the whole connection.
void remember_options(TcpSide& side, const lab::decode::TcpOptions& options) {
  side.mss = options.mss;
  side.window_scale = options.window_scale;
  side.sack_permitted = options.sack_permitted;
  side.timestamps = options.has_timestamps;
}

// For a retransmission: which recent packets carried its first sequence number before, the first of them
// being the original. The ring holds the last few segments only; older ones are not known.
void find_earlier_copies(const TcpSide& sender, std::uint32_t seq, std::int64_t time_ns, TcpObservation& o) {
  const SentSegment* latest = nullptr;
  for (const SentSegment& segment : sender.recent) {
    if (segment.packet_index == 0 || seq_before(seq, segment.seq) || !seq_before(seq, segment.end_seq)) continue;
    ++o.copies_before;
    if (o.retransmission_of == 0 || segment.packet_index < o.retransmission_of) {
      o.retransmission_of = segment.packet_index;
      o.original_dropped = segment.dropped;
    }
    if (!latest || segment.packet_index > latest->packet_index) latest = &segment;
  }
  if (latest) {
    o.since_previous_copy_ns = time_ns - latest->time_ns;
    o.previous_copy = latest->packet_index;
    o.previous_copy_dropped = latest->dropped;
  }
}

bool is_unset(TcpState s) { return s == TcpState::unknown || s == TcpState::closed || s == TcpState::listen; }

// A capture taken at one point takes what passes it as arrived. A side it shows ESTABLISHED that sends its SYN, or
// its SYN-ACK, again proves that wrong: the SYN-ACK (or the handshake's ACK) that made it ESTABLISHED never reached
// it. Its state goes back to what it still is, and the next acknowledgement of its SYN counts again.
void correct_taken_arrival(TcpSide& sender, const TcpHeader& h, TcpObservation& o) {
  if (!h.has(flag::syn) || sender.state != TcpState::established) return;
  sender.state = h.has(flag::ack) ? TcpState::syn_received : TcpState::syn_sent;
  sender.syn_acked = false;
  o.capture_corrected = true;
}

// RFC 9293 3.3.2: the state change caused by sending this segment, in its sender.
void change_sender_state(TcpSide& sender, const TcpSide& receiver, const TcpHeader& h, TcpObservation& o) {
  if (h.has(flag::rst)) {  // a reset ends the connection at once: no goodbye, no TIME-WAIT
    sender.state = TcpState::closed;
    return;
  }
  if (h.has(flag::syn) && !h.has(flag::ack)) {  // active open
    if (is_unset(sender.state)) sender.state = TcpState::syn_sent;
    o.handshake_step = 1;
  } else if (h.has(flag::syn)) {  // SYN-ACK: the passive side answers
    if (is_unset(sender.state)) sender.state = TcpState::syn_received;
    o.handshake_step = 2;
  } else {
    // A connection first seen mid-stream: data is flowing, so this side is (at least) established.
    if (sender.state == TcpState::unknown) sender.state = TcpState::established;
    if (o.first_ack_of_syn && receiver.state == TcpState::syn_received) o.handshake_step = 3;
    // A SYN-SENT side that acknowledges the other's SYN has received the SYN-ACK (RFC 9293: SYN-SENT + SYN-ACK ->
    // ESTABLISHED, and the ACK is its answer), even if the capture did not see which copy reached it.
    if (sender.state == TcpState::syn_sent && h.has(flag::ack) && receiver.syn_sent && at_or_after(h.ack, receiver.isn + 1))
      sender.state = TcpState::established;
  }
  if (o.new_fin) {  // it has closed its side (RFC 9293: CLOSE-WAIT + close -> LAST-ACK)
    // Both FINs crossed: each waits for the ACK of its own. A sender shown in CLOSE-WAIT had not in fact received
    // the other FIN yet (its ACK says so): a capture taken at one point sees the other FIN pass, not arrive.
    if (o.simultaneous_close && sender.state == TcpState::close_wait) sender.state = TcpState::closing;
    else if (sender.state == TcpState::close_wait) sender.state = TcpState::last_ack;
    else if (sender.state == TcpState::established || sender.state == TcpState::syn_received)
      sender.state = TcpState::fin_wait_1;
  }
}

// RFC 9293 3.3.2 and 3.10.7: the state change caused by receiving this segment, in its receiver.
void change_receiver_state(TcpSide& receiver, const TcpHeader& h, const TcpObservation& o) {
  if (h.has(flag::rst)) {
    receiver.state = TcpState::closed;
    return;
  }
  if (h.has(flag::syn) && !h.has(flag::ack)) {
    // A SYN reaching a port nobody listens on leaves it CLOSED (it is answered with a reset).
    if (receiver.state == TcpState::closed && receiver.nobody_listens) return;
    if (is_unset(receiver.state) || receiver.state == TcpState::syn_sent) receiver.state = TcpState::syn_received;
  } else if (h.has(flag::syn)) {
    if (o.acks_syn && (is_unset(receiver.state) || receiver.state == TcpState::syn_sent))
      receiver.state = TcpState::established;
  } else {
    if (receiver.state == TcpState::unknown) receiver.state = TcpState::established;  // first seen mid-stream
    if (o.acks_syn && receiver.state == TcpState::syn_received) receiver.state = TcpState::established;
  }
  if (o.acks_fin) {
    if (receiver.state == TcpState::fin_wait_1) receiver.state = TcpState::fin_wait_2;
    else if (receiver.state == TcpState::closing) receiver.state = TcpState::time_wait;
    else if (receiver.state == TcpState::last_ack) receiver.state = TcpState::closed;
  }
  if (o.fin_arrives) {  // the FIN reaches it (a retransmitted FIN, if the first was dropped)
    if (receiver.state == TcpState::established || receiver.state == TcpState::syn_received)
      receiver.state = TcpState::close_wait;
    else if (receiver.state == TcpState::fin_wait_1) receiver.state = TcpState::closing;  // simultaneous close
    else if (receiver.state == TcpState::fin_wait_2) receiver.state = TcpState::time_wait;
  }
}

Phase phase_of(const TcpHeader& h, std::uint32_t payload_len, const TcpSide& sender, const TcpSide& receiver,
               const TcpObservation& o) {
  if (h.has(flag::rst)) return Phase::reset;
  if (h.has(flag::syn) || o.handshake_step == 3) return Phase::handshake;
  if (h.has(flag::fin)) return Phase::teardown;
  if (payload_len > 0) return Phase::data;
  return sender.fin_sent || receiver.fin_sent ? Phase::teardown : Phase::data;
}

}  // namespace

void track_tcp_segment(Conversation& c, Role from, const TcpHeader& h, std::uint32_t payload_len,
                       std::uint32_t packet_index, std::int64_t time_ns, Observation& observation, Receipt receipt,
                       bool exact, bool fragment, WiresharkRules rules) {
  const bool delivered = receipt != Receipt::never;
  TcpSide& sender = c.side(from);
  TcpSide& receiver = c.side(other(from));
  TcpObservation& o = observation.tcp;
  o.before[0] = c.tcp[0].state;
  o.before[1] = c.tcp[1].state;
  o.receiver_when_sent = receiver.state;

  // Wireshark's analysis looks at every captured segment, delivered or not: it sees the capture, not the hosts.
  if (!fragment) analyze_sequence(c, from, h, payload_len, packet_index, time_ns, rules, o);
  learn_bases(sender, receiver, h);
  if (!fragment) {
    analyze_sack(c, from, h, receiver.isn, rules, o);
    count_analysis(c, o);
  }
  if (o.analysis.retransmission_family()) find_earlier_copies(sender, h.seq, time_ns, o);

  o.rel_seq = h.seq - sender.isn;
  if (h.has(flag::ack)) o.rel_ack = h.ack - receiver.isn;

  // A SYN and a FIN each consume one sequence number, so that they can be acknowledged like data.
  const std::uint32_t control = (h.has(flag::syn) ? 1u : 0u) + (h.has(flag::fin) ? 1u : 0u);
  o.seq_len = payload_len + control;
  const std::uint32_t end_seq = h.seq + o.seq_len;
  o.rel_next_seq = end_seq - sender.isn;
  // Each byte counts once as application data: only what lies beyond everything sent before is new.
  const std::uint32_t data_end = h.seq + (h.has(flag::syn) ? 1u : 0u) + payload_len;
  if (!sender.seen) o.new_bytes = payload_len;
  else if (seq_after(data_end, sender.next_seq)) o.new_bytes = std::min(payload_len, data_end - sender.next_seq);
  if (!sender.seen || seq_after(end_seq, sender.next_seq)) sender.next_seq = end_seq;
  sender.seen = true;

  read_ack(sender, receiver, h, time_ns, o);
  // The handshake's last ACK: the first the sender sends that acknowledges the other side's SYN (whether or not it
  // arrives; a dropped one leaves the next its job).
  o.first_ack_of_syn = h.has(flag::ack) && !h.has(flag::syn) && receiver.syn_sent &&
                       at_or_after(h.ack, receiver.isn + 1) &&
                       (!sender.ack_seen || seq_before(sender.highest_ack, receiver.isn + 1));
  // What the sender has acknowledged so far, as it said it: an ACK that will arrive counts as it is sent, so that the
  // next one (sent before this one arrives, with --delay) confirms only what is new; a dropped one counts for nothing.
  if (delivered && h.has(flag::ack) && (!sender.ack_seen || seq_after(h.ack, sender.highest_ack))) {
    sender.highest_ack = h.ack;
    sender.ack_seen = true;
  }
  if (receiver.ack_seen) {
    o.receiver_acked = true;
    o.receiver_rel_ack = receiver.highest_ack - sender.isn;
  }
  o.piggybacked = payload_len > 0 && o.newly_acked > 0;

  if (h.has(flag::syn) && h.has(flag::ack) && sender.syn_packet != 0 && receiver.syn_arrived_packet > sender.syn_packet)
    o.answers_syn = receiver.syn_arrived_packet;
  if (h.has(flag::syn)) {
    sender.syn_sent = true;
    sender.syn_packet = packet_index;
  }
  o.packet_index = packet_index;
  if (h.has(flag::fin) && !sender.fin_sent) {
    sender.fin_sent = true;
    sender.fin_seq = end_seq - 1;
    sender.fin_packet = packet_index;
    o.new_fin = true;
    if (!c.first_to_close) c.first_to_close = from;
    // Simultaneous only if the sender had not received the other FIN: the packet says so when its ACK does not
    // cover that FIN. (Whether the other FIN had been acknowledged, or even delivered, is not the question: an ACK
    // in CLOSE-WAIT may be lost while the FIN it answers did arrive.)
    const bool acks_their_fin = h.has(flag::ack) && at_or_after(h.ack, receiver.fin_seq + 1);
    o.simultaneous_close = receiver.fin_sent && !acks_their_fin;
  }
  if (o.seq_len > 0)
    remember_segment(sender, h.seq, end_seq, packet_index, time_ns, !delivered, o.analysis.retransmission_family());
  if (h.has(flag::syn) && !h.has(flag::ack) && c.syn_time_ns < 0) {
    c.syn_time_ns = time_ns;
    remember_options(sender, h.options);
  }
  if (h.has(flag::syn) && h.has(flag::ack) && c.syn_ack_time_ns < 0) {
    c.syn_ack_time_ns = time_ns;
    remember_options(sender, h.options);
  }

  // A bare ACK just after a copy from the other side that this side had already received.
  if (payload_len == 0 && h.has(flag::ack) && !h.has(flag::syn) && !h.has(flag::fin) && !h.has(flag::rst)) {
    const std::uint32_t since = c.sent[static_cast<int>(from)].last_packet_index;  // this side's previous packet
    for (const SentSegment& segment : receiver.recent)
      if (segment.copy && !segment.dropped && segment.packet_index > since && segment.packet_index > o.answers_copy &&
          !seq_after(segment.end_seq, h.ack))
        o.answers_copy = segment.packet_index;
  }
  if (!exact) correct_taken_arrival(sender, h, o);
  change_sender_state(sender, receiver, h, o);
  if (o.handshake_step == 3 && c.handshake_done_ns < 0) c.handshake_done_ns = time_ns;
  if (h.has(flag::rst)) c.reset = true;
  if (h.has(flag::fin) && h.has(flag::ack)) c.saw_fin_ack = true;
  o.after[0] = c.tcp[0].state;
  o.after[1] = c.tcp[1].state;
  observation.phase = phase_of(h, payload_len, sender, receiver, o);
  if (receipt == Receipt::now) receive_tcp_segment(c, from, h, payload_len, exact, observation);
}

void close_called(TcpSide& side, bool resets) {
  if (side.state == TcpState::unknown || side.state == TcpState::closed || side.state == TcpState::time_wait) return;
  if (resets) side.state = TcpState::closed;
  else if (side.state == TcpState::established || side.state == TcpState::syn_received) side.state = TcpState::fin_wait_1;
  else if (side.state == TcpState::close_wait) side.state = TcpState::last_ack;
}

// The receiver's in-order point moves with this segment (RFC 9293 3.10.7.4: segments beyond a gap are held and
// processed in sequence order once it is filled). Returns whether the sender's FIN is now behind that point.
bool fin_in_order(TcpSide& sender, const TcpHeader& h, std::uint32_t payload_len) {
  const std::uint32_t end = h.seq + payload_len + (h.has(flag::syn) ? 1u : 0u) + (h.has(flag::fin) ? 1u : 0u);
  if (h.has(flag::syn) || !sender.delivered_known) {
    sender.delivered_known = true;
    sender.delivered_next = end;
  } else if (!seq_after(h.seq, sender.delivered_next)) {
    if (seq_after(end, sender.delivered_next)) sender.delivered_next = end;
  } else if (sender.delivered_ahead_count < sender.delivered_ahead.size()) {
    sender.delivered_ahead[sender.delivered_ahead_count++] = {h.seq, end};
  }
  for (bool merged = true; merged;) {  // held ranges the point has reached join it
    merged = false;
    for (std::uint8_t i = 0; i < sender.delivered_ahead_count; ++i) {
      const UnackedSegment range = sender.delivered_ahead[i];
      if (seq_after(range.seq, sender.delivered_next)) continue;
      if (seq_after(range.next_seq, sender.delivered_next)) sender.delivered_next = range.next_seq;
      sender.delivered_ahead[i] = sender.delivered_ahead[--sender.delivered_ahead_count];
      merged = true;
      break;
    }
  }
  return sender.fin_sent && seq_after(sender.delivered_next, sender.fin_seq);
}

void receive_tcp_segment(Conversation& c, Role from, const TcpHeader& h, std::uint32_t payload_len, bool exact,
                         Observation& observation) {
  TcpSide& sender = c.side(from);
  TcpSide& receiver = c.side(other(from));
  TcpObservation& o = observation.tcp;
  const int to = static_cast<int>(other(from));
  o.before[to] = receiver.state;
  if (c.sent[to].last_packet_index > o.packet_index) o.receiver_sent_before_arrival = c.sent[to].last_packet_index;
  if (h.has(flag::syn)) sender.syn_arrived_packet = o.packet_index;
  receive_ack(receiver, h, o);
  // Where the wire says exactly what arrived, a FIN takes effect only in sequence; a capture that cannot tell (it may
  // have missed packets the receiver did get) lets it take effect as it passes.
  const bool in_order = fin_in_order(sender, h, payload_len);
  if (!sender.fin_delivered && (exact ? in_order : h.has(flag::fin))) {
    sender.fin_delivered = true;
    o.fin_arrives = true;
    // The FIN that takes effect: one held aside beyond a gap, or this packet's own.
    o.fin_from_packet = sender.fin_held_packet != 0 && !h.has(flag::fin) ? sender.fin_held_packet : o.packet_index;
  } else if (exact && h.has(flag::fin) && !sender.fin_delivered) {
    o.fin_held = true;
    o.gap_from = sender.delivered_next - sender.isn;
    sender.fin_held_packet = o.packet_index;
  }
  change_receiver_state(receiver, h, o);
  o.after[to] = receiver.state;
}

}  // namespace lab::flow
