#include "capture/flow/tcp_analysis.hpp"

#include "capture/flow/seq.hpp"

namespace lab::flow {
namespace analysis {

const char* field_name(std::uint16_t flag) {
  switch (flag) {
    case retransmission: return "retransmission";
    case fast_retransmission: return "fast_retransmission";
    case spurious_retransmission: return "spurious_retransmission";
    case duplicate_ack: return "duplicate_ack";
    case out_of_order: return "out_of_order";
    case lost_segment: return "lost_segment";
    case ack_lost_segment: return "ack_lost_segment";
    case zero_window: return "zero_window";
    case zero_window_probe: return "zero_window_probe";
    case zero_window_probe_ack: return "zero_window_probe_ack";
    case window_full: return "window_full";
    case window_update: return "window_update";
    case keep_alive: return "keep_alive";
    case keep_alive_ack: return "keep_alive_ack";
    default: return "";
  }
}

const char* info_tag(std::uint16_t flag) {
  switch (flag) {
    case retransmission: return "TCP Retransmission";
    case fast_retransmission: return "TCP Fast Retransmission";
    case spurious_retransmission: return "TCP Spurious Retransmission";
    case duplicate_ack: return "TCP Dup ACK";
    case out_of_order: return "TCP Out-Of-Order";
    case lost_segment: return "TCP Previous segment not captured";
    case ack_lost_segment: return "TCP ACKed unseen segment";
    case zero_window: return "TCP ZeroWindow";
    case zero_window_probe: return "TCP ZeroWindowProbe";
    case zero_window_probe_ack: return "TCP ZeroWindowProbeAck";
    case window_full: return "TCP Window Full";
    case window_update: return "TCP Window Update";
    case keep_alive: return "TCP Keep-Alive";
    case keep_alive_ack: return "TCP Keep-Alive ACK";
    default: return "";
  }
}

}  // namespace analysis

namespace {

using lab::decode::TcpHeader;
namespace flag = lab::decode::tcp_flag;
namespace a = analysis;

constexpr std::uint64_t fast_retransmit_window_ns = 20'000'000;  // within 20 ms of the last duplicate ACK
constexpr std::uint64_t out_of_order_default_ns = 3'000'000;     // without a handshake to measure the RTT

// Wireshark measures "how long since" in unsigned 64-bit nanoseconds: a timestamp that goes backwards gives a huge
// value, never "recent". The same here, so that odd captures get the same verdicts.
std::uint64_t since(std::int64_t now, std::int64_t then) { return static_cast<std::uint64_t>(now - then); }

// The window-scale shift each side uses, learnt from the SYNs as Wireshark does (verify_tcp_window_scaling): a
// SYN without the option means neither side scales; a SYN-ACK with it answering a SYN without it does not scale.
void learn_window_scale(SeqAnalysisSide& fwd, SeqAnalysisSide& rev, const TcpHeader& h) {
  if (!h.has(flag::syn)) return;
  if (h.options.window_scale) fwd.win_scale = static_cast<std::int8_t>(*h.options.window_scale > 14 ? 14 : *h.options.window_scale);
  if (fwd.win_scale == -1) {
    fwd.win_scale = -2;
    rev.win_scale = -2;
  } else if (h.has(flag::ack) && rev.win_scale == -2) {
    fwd.win_scale = -2;
  }
}

// The shift of a side's window field (0 while not known or not in use).
int shift_of(const SeqAnalysisSide& side) { return side.win_scale < 0 ? 0 : side.win_scale; }

void count(TroubleCounts& t, std::uint16_t found) {
  if (found & (a::retransmission | a::fast_retransmission | a::spurious_retransmission)) ++t.retransmissions;
  if (found & a::fast_retransmission) ++t.fast_retransmissions;
  if (found & a::spurious_retransmission) ++t.spurious_retransmissions;
  if (found & a::duplicate_ack) ++t.duplicate_acks;
  if (found & a::out_of_order) ++t.out_of_order;
  if (found & a::lost_segment) ++t.lost_segments;
  if (found & a::ack_lost_segment) ++t.acked_unseen;
  if (found & a::zero_window) ++t.zero_windows;
}

// Wireshark 4.4's "already seen" test: the segment lies within one segment this side sent before and that is still
// unacknowledged. Such a copy is a retransmission, however soon it comes.
bool already_seen(const SeqAnalysisSide& side, std::uint32_t seq, std::uint32_t seglen) {
  for (std::uint8_t i = 0; i < side.unacked_count; ++i) {
    const UnackedSegment& u = side.unacked[i];
    if (!seq_before(seq, u.seq) && !seq_after(seq + seglen, u.next_seq)) return true;
  }
  return false;
}

// Wireshark 4.4's new limit after an ACKed unseen segment: where the run of the other side's unacknowledged
// segments that starts exactly at the ACK ends (walking them newest first, as its list is kept), else the ACK.
std::uint32_t unseen_ack_limit(const SeqAnalysisSide& sender, std::uint32_t ack) {
  std::uint32_t tail_le = 0, tail_re = 0;
  for (int i = sender.unacked_count - 1; i >= 0; --i) {
    const UnackedSegment& u = sender.unacked[static_cast<std::size_t>(i)];
    if (tail_le == tail_re) {
      tail_le = u.seq;
      tail_re = u.next_seq;
    }
    if (!seq_before(u.seq, ack)) {  // at or after the ACK: extends the run downwards, or starts a new one
      if (u.next_seq != tail_le) tail_re = u.next_seq;
      tail_le = u.seq;
    }
  }
  return ack == tail_le && seq_after(tail_re, ack) ? tail_re : ack;
}

// Wireshark 4.4's SACK test for fast retransmission, with its quirk: the blocks are kept relative to the data
// sender's base while `seq` is raw, so with a real ISN nothing counts as SACKed.
bool sacked(const SeqAnalysisSide& receiver, std::uint32_t seq, std::uint32_t seglen) {
  for (std::uint8_t i = 0; i < receiver.sack_count; ++i)
    if (seq >= receiver.sack[i].seq && seq + seglen <= receiver.sack[i].next_seq) return true;
  return false;
}

// The segments an ACK confirms leave the other side's list (a partial ACK trims the first one), as Wireshark does
// for every segment's ACK field, with or without the ACK flag.
void forget_acked(SeqAnalysisSide& sender, std::uint32_t ack) {
  std::uint8_t kept = 0;
  for (std::uint8_t i = 0; i < sender.unacked_count; ++i) {
    UnackedSegment u = sender.unacked[i];
    if (ack == u.next_seq) continue;
    if (seq_after(ack, u.seq) && !seq_after(ack, u.next_seq)) {
      u.seq = ack;
    } else if (!seq_after(u.next_seq, ack)) {
      continue;  // entirely before the ACK: old
    }
    sender.unacked[kept++] = u;
  }
  sender.unacked_count = kept;
}

}  // namespace

void analyze_sequence(Conversation& c, Role from, const TcpHeader& h, std::uint32_t seglen, std::uint32_t packet_index,
                      std::int64_t now, WiresharkRules rules, TcpObservation& o) {
  SeqAnalysisSide& fwd = c.side(from).analysis;
  SeqAnalysisSide& rev = c.side(other(from)).analysis;
  const bool v44 = rules == WiresharkRules::v4_4;
  const bool syn = h.has(flag::syn), fin = h.has(flag::fin), rst = h.has(flag::rst);
  const bool control = syn || fin || rst;  // SYN, FIN and RST segments are never keep-alives, window updates...
  const std::uint32_t seq = h.seq, ack = h.ack, window = h.window;
  std::uint16_t found = 0;
  o.expected_seq = fwd.next_seq;
  o.previous_window = fwd.window;

  // The checks of the window and of the ACK, in Wireshark's order. A zero-window probe (one byte pushed into
  // a closed window) is nothing else.
  if (seglen == 1 && seq == fwd.next_seq && rev.window == 0) {
    found |= a::zero_window_probe;
  } else {
    if (window == 0 && !control) found |= a::zero_window;
    // Data starting beyond everything this side sent so far: the capture missed what came between.
    if (fwd.next_seq != 0 && seq_after(seq, fwd.next_seq) && !rst) found |= a::lost_segment;
    // A keep-alive re-sends the last byte already acknowledged (or nothing) at seq next_seq - 1.
    if (seglen <= 1 && seq == fwd.next_seq - 1 && !control) found |= a::keep_alive;
    // An empty segment at the same place as this side's previous one: only its window can be news.
    const bool same_place = seglen == 0 && seq == fwd.next_seq && ack == fwd.last_ack && !control;
    if (same_place && window != 0 && window != fwd.window) found |= a::window_update;
    // Data that reaches exactly the right edge of the receiver's window (the edge is last ACK + window).
    if (seglen > 0 && rev.win_scale != -1 && !control && seq + seglen == rev.last_ack + (rev.window << shift_of(rev)))
      found |= a::window_full;
    // The ACK of a zero-window probe: 4.4 also takes one that acknowledges the probe's byte, and then counts
    // that byte as sent for good.
    const bool probe_acked = v44 && seglen == 0 && seq == fwd.next_seq && ack == fwd.last_ack + 1 && !control;
    if (same_place && window != 0 && window == fwd.window && (rev.last_analysis & a::keep_alive)) {
      found |= a::keep_alive_ack;
    } else if ((same_place || probe_acked) && window == 0 && fwd.window == 0 &&
               (rev.last_analysis & a::zero_window_probe)) {
      found |= a::zero_window_probe_ack;
      if (probe_acked) rev.next_seq = rev.max_seq_to_be_acked = ack;
    } else if (same_place && window != 0 && window == fwd.window) {
      // The same ACK, window and seq again: the receiver keeps asking for the same byte. (4.0: -1 marks a count
      // neutralised by an "ACKed unseen segment" below: it restarts at 1.)
      fwd.dup_acks = fwd.dup_acks == -1 ? 1 : fwd.dup_acks + 1;
      found |= a::duplicate_ack;
      o.dup_ack_num = static_cast<std::uint32_t>(fwd.dup_acks);
      o.dup_ack_frame = fwd.last_non_dup_ack;
    }
  }
  if (ack != fwd.last_ack) {  // a new ACK number starts a new count of duplicates
    fwd.last_non_dup_ack = packet_index;
    fwd.dup_acks = 0;
  }
  // An ACK beyond the contiguous data seen from the other side acknowledges something the capture never saw.
  if (rev.max_seq_to_be_acked != 0 && seq_after(ack, rev.max_seq_to_be_acked) && h.has(flag::ack)) {
    if (v44 && ack == fwd.last_ack + 1 && seq == fwd.next_seq && (rev.last_analysis & a::zero_window_probe)) {
      // 4.4: the ACK of a zero-window probe's byte that opens the window again.
      rev.next_seq = rev.max_seq_to_be_acked = ack;
      found |= a::window_update;
    } else if (v44) {
      // 4.4: said every time; the limit moves to the end of what is known to follow the ACK.
      found |= a::ack_lost_segment;
      rev.max_seq_to_be_acked = unseen_ack_limit(rev, ack);
    } else if (seq_before(rev.max_seq_to_be_acked, rev.next_seq)) {
      // 4.0: said once per gap: the limit moves to what was seen, or (when the other side only sends pure ACKs)
      // its duplicate count is set aside until its ACK moves.
      rev.max_seq_to_be_acked = rev.next_seq;
      found |= a::ack_lost_segment;
    } else {
      if (rev.dup_acks == 0) found |= a::ack_lost_segment;
      rev.dup_acks = -1;
    }
  }

  // A segment that consumes sequence numbers but does not advance them is a retransmission of some kind.
  if ((seglen > 0 || syn || fin) && !(found & a::keep_alive)) {
    bool not_advanced = fwd.next_seq != 0 && seq_before(seq, fwd.next_seq);
    // Starting one byte back with more than one byte: new data after a zero-window probe's byte.
    if (seglen > 1 && fwd.next_seq - 1 == seq) not_advanced = false;
    const std::uint64_t ooo_threshold =
        c.first_rtt_ns == 0 ? out_of_order_default_ns : static_cast<std::uint64_t>(c.first_rtt_ns);
    const bool soon_after_ack = since(now, rev.last_ack_time_ns) < fast_retransmit_window_ns;
    const bool soon_after_newest = since(now, fwd.next_seq_time_ns) < ooo_threshold;
    const bool ends_at_newest = fwd.next_seq == seq + seglen + (syn || fin ? 1u : 0u);
    if (seglen > 0 && rev.last_ack != 0 && !seq_after(seq + seglen, rev.last_ack)) {
      found |= a::spurious_retransmission;  // the receiver had already acknowledged all of it
    } else if (not_advanced && rev.dup_acks >= 2 && rev.last_ack == seq && soon_after_ack) {
      found |= a::fast_retransmission;  // the receiver asked for it with duplicate ACKs, and it came at once
    } else if (v44 && not_advanced && rev.dup_acks >= 2 && rev.sack_count > 0 && soon_after_ack &&
               !sacked(rev, seq, seglen)) {
      found |= a::fast_retransmission;  // 4.4: duplicate ACKs with SACK blocks that leave this segment out
    } else if (v44 && not_advanced && soon_after_newest && !already_seen(fwd, seq, seglen) &&
               (!ends_at_newest || fwd.last_ack_len == 0)) {
      found |= a::out_of_order;  // 4.4: soon after newer data, and not a copy of a segment seen before
    } else if (!v44 && not_advanced && soon_after_newest && !ends_at_newest) {
      found |= a::out_of_order;  // too soon after newer data to be a retransmission: the network reordered it
    } else if (not_advanced) {
      found |= a::retransmission;
    }
  }

  // Remember this segment as Wireshark does. A zero-window probe does not move next_seq: its byte is sent
  // again once the window opens.
  const std::uint32_t next = seq + seglen + (syn || fin ? 1u : 0u);
  // 4.4: the length of the latest segment whose data reached beyond everything sent before (0: a pure ACK).
  if (fwd.next_seq == 0 || seq_after(seq + seglen, fwd.next_seq)) fwd.last_ack_len = seglen;
  if ((seglen > 0 || syn || fin) && fwd.unacked_count < fwd.unacked.size())
    fwd.unacked[fwd.unacked_count++] = UnackedSegment{seq, next};
  if (!(found & a::zero_window_probe)) {
    if (seq_after(next, fwd.next_seq) || fwd.next_seq == 0) {
      fwd.next_seq = next;
      fwd.next_seq_frame = packet_index;
      fwd.next_seq_time_ns = now;
    }
    if (seq == fwd.max_seq_to_be_acked || fwd.max_seq_to_be_acked == 0) fwd.max_seq_to_be_acked = fwd.next_seq;
  }
  fwd.window = window;
  fwd.last_ack = ack;
  fwd.last_ack_time_ns = now;
  fwd.last_analysis = found;
  forget_acked(rev, ack);

  // The handshake's round trip, from the latest SYN to the first segment with ACK and without SYN: the
  // out-of-order test's threshold from the next packet on.
  if (h.has(flag::ack) && !syn && c.last_syn_ns != 0 && c.first_rtt_ns == 0) c.first_rtt_ns = now - c.last_syn_ns;
  if (syn && !h.has(flag::ack)) c.last_syn_ns = now;
  learn_window_scale(fwd, rev, h);

  o.analysis.bits = found;
  if (rev.window != 0xFFFFFFFF) o.receiver_window = static_cast<std::uint64_t>(rev.window) << shift_of(rev);
}

void analyze_sack(Conversation& c, Role from, const TcpHeader& h, std::uint32_t data_sender_base, WiresharkRules rules,
                  TcpObservation& o) {
  if (rules != WiresharkRules::v4_4 || h.options.sack_count == 0) return;
  SeqAnalysisSide& fwd = c.side(from).analysis;
  fwd.sack_count = h.options.sack_count;
  for (std::uint8_t i = 0; i < h.options.sack_count; ++i)
    fwd.sack[i] = UnackedSegment{h.options.sack[i].left - data_sender_base, h.options.sack[i].right - data_sender_base};
  // A "window update" that carries SACK blocks is a duplicate ACK reporting what arrived beyond a hole.
  if (o.analysis.has(a::window_update)) {
    o.analysis.bits = static_cast<std::uint16_t>((o.analysis.bits & ~a::window_update) | a::duplicate_ack);
    ++fwd.dup_acks;
    o.dup_ack_num = static_cast<std::uint32_t>(fwd.dup_acks);
    o.dup_ack_frame = fwd.last_non_dup_ack;
  }
}

void count_analysis(Conversation& c, const TcpObservation& o) { count(c.trouble, o.analysis.bits); }

}  // namespace lab::flow
