// Explains what Wireshark's sequence analysis found in a TCP segment (retransmissions, duplicate ACKs, missing
// segments, window trouble, keep-alives) with its cause and effect, and what the lab's wire did with a packet it
// dropped. Each sentence uses the numbers of this capture.
#include <fmt/format.h>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"

namespace lab::annotate {
namespace {

using lab::decode::SendTrigger;
using lab::flow::Role;
namespace a = lab::flow::analysis;
namespace flag = lab::decode::tcp_flag;

struct Facts {  // what every sentence below needs, named once
  const lab::decode::TcpHeader& h;
  const lab::flow::TcpObservation& o;
  const lab::flow::Conversation& c;
  Role from;
  const char* sender;
  const char* receiver;
  std::uint32_t len;
  SendTrigger trigger;
  std::uint32_t index;
  Explained* explained;  // what this run has explained in full already (may be null)
  bool on_wire;          // the lab's wire carried it: it knows which copies arrived
  std::uint32_t first() const { return o.rel_seq + (h.has(flag::syn) ? 1u : 0u); }
  std::uint32_t last() const { return first() + len - 1; }
  std::uint32_t sender_isn() const { return c.side(from).isn; }
};

// "bytes 1..6", "byte 7", "its SYN", "its FIN (seq 7)", "bytes 1..6 and its FIN".
std::string what_it_carries(const Facts& f) {
  if (f.h.has(flag::syn)) return f.h.has(flag::ack) ? "its SYN-ACK" : "its SYN";
  if (f.len == 0) return fmt::format("its FIN (seq {})", f.o.rel_seq);
  std::string words = f.len == 1 ? fmt::format("byte {}", f.first()) : fmt::format("bytes {}..{}", f.first(), f.last());
  if (f.h.has(flag::fin)) words += " and its FIN";
  return words;
}

// Why the sending kernel sent it again: what the lab's wire read from its counters, or what timing suggests. Only
// what the counters and the capture show is stated: the kernel's timer settings are not guessed.
void explain_trigger(const Facts& f, std::string& note) {
  const bool syn = f.h.has(flag::syn);
  switch (f.trigger) {
    case SendTrigger::timeout:
      if (!syn) {
        if (const auto at = explained_at(f.explained, Topic::timeout, f.index)) {
          SAY(note, "The {}'s kernel counted it as a timeout (RTO), as at #{}.", f.sender, at);
          return;
        }
      }
      if (syn && f.h.has(flag::ack))
        SAY(note, "The {}'s kernel counted it as a SYN-ACK timeout: no ACK came for its SYN-ACK, so its timer fired.", f.sender);
      else if (syn)
        SAY(note, "The {}'s kernel counted it as a SYN timeout: no SYN-ACK came, so its SYN timer fired.", f.sender);
      else
        SAY(note, "The {}'s kernel counted it as a timeout: its retransmission timer (RTO) expired.", f.sender);
      return;
    case SendTrigger::tail_loss_probe:
      if (const auto at = explained_at(f.explained, Topic::tail_loss_probe, f.index)) {
        SAY(note, "The {}'s kernel counted it as a tail-loss probe, as at #{}.", f.sender, at);
        return;
      }
      SAY(note, "The {}'s kernel counted it as a tail-loss probe (TLP, RFC 8985): with no ACK coming back, it resent its last segment to draw one rather than wait for the full retransmission timeout.", f.sender);
      return;
    case SendTrigger::fast_retransmit:
      if (const auto at = explained_at(f.explained, Topic::fast_retransmit, f.index)) {
        SAY(note, "The {}'s kernel counted it as a fast retransmit, as at #{}.", f.sender, at);
        return;
      }
      SAY(note, "The {}'s kernel counted it as a fast retransmit: duplicate ACKs (or SACK blocks) told it the segment was lost, so it did not wait for its timer.", f.sender);
      return;
    case SendTrigger::repeated_syn:
      if (f.o.answers_syn != 0)
        SAY(note, "It answers the {}'s repeated SYN (#{}): a side in SYN-RECEIVED that sees the SYN again sends its SYN-ACK again at once. (Its kernel counted a SYN-ACK sent again, TCPSynRetrans, but no timeout.)",
            f.receiver, f.o.answers_syn);
      else
        SAY(note, "Its kernel counted a SYN-ACK sent again (TCPSynRetrans) but no timeout: the answer to a repeated SYN.");
      return;
    case SendTrigger::delayed_ack:  // only a bare ACK gets it, and a bare ACK is no retransmission
    case SendTrigger::unknown: break;
  }
  if (f.o.copies_before == 0) return;
  if (f.o.since_previous_copy_ns < 100'000) {  // no kernel resends within 100 µs
    SAY(note, "A copy this soon is no kernel's retransmission: more likely the capture recorded the same packet twice (two interfaces, or a mirror port seeing it twice).");
  } else if (syn && f.h.has(flag::ack) && f.o.answers_syn != 0) {
    SAY(note, "It most likely answers the {}'s repeated SYN (#{}): a side in SYN-RECEIVED that sees the SYN again sends its SYN-ACK again. A capture cannot tell for sure.",
        f.receiver, f.o.answers_syn);
  } else if (syn) {
    SAY(note, "An unanswered SYN is sent again when the SYN timer fires (a capture cannot tell the kernel's reason for sure).");
  } else if (f.o.since_previous_copy_ns >= 200'000'000) {
    SAY(note, "A wait this long suggests the retransmission timer (RTO) expired. A capture cannot tell for sure.");
  } else {
    SAY(note, "That is sooner than a retransmission timer usually waits (Linux's default minimum is 200 ms): more likely a tail-loss probe or a fast retransmit. A capture cannot tell for sure.");
  }
}

void explain_retransmission(const Facts& f, std::string& note) {
  const auto& o = f.o;
  const std::string what = what_it_carries(f);
  const std::uint32_t wanted = o.rel_next_seq;  // the ACK that would confirm it
  if (o.answers_syn != 0 && o.previous_copy != 0) {
    SAY(note, "Retransmission: the {} sends {} again, {} after the previous copy (#{}).", f.sender, what,
        duration_words(o.since_previous_copy_ns), o.previous_copy);
  } else if (o.retransmission_of != 0 && o.original_dropped && o.previous_copy_dropped) {
    SAY(note, "Retransmission: packet #{} ({}) was dropped by the lab and never arrived; {} {}, with still no ACK {} from the {}, the {} sends {} again.",
        o.retransmission_of, what, duration_words(o.since_previous_copy_ns),
        o.copies_before > 1 ? "after the previous copy" : "later", wanted, f.receiver, f.sender, what);
  } else if (o.retransmission_of != 0 && f.on_wire && !o.previous_copy_dropped) {
    // The wire knows the previous copy arrived: nothing was lost, only its ACK had not come back.
    SAY(note, "Retransmission: the {} sends {} again, first sent in packet #{}. The previous copy (#{}) had arrived (the lab's wire delivered it), but {} later no ACK {} had reached the {}: this copy was not needed.",
        f.sender, what, o.retransmission_of, o.previous_copy, duration_words(o.since_previous_copy_ns), wanted, f.sender);
  } else if (o.retransmission_of != 0) {
    SAY(note, "Retransmission: the {} sends {} again, first sent in packet #{}; {} after the previous copy there is still no ACK {} from the {}, so the {} assumes it was lost{}.",
        f.sender, what, o.retransmission_of, duration_words(o.since_previous_copy_ns), wanted, f.receiver, f.sender,
        f.on_wire ? "" : " (a capture cannot tell whether it was)");
  } else {
    SAY(note, "Retransmission: the {} sends {} again: these sequence numbers were already sent (earlier than the tracker remembers), and no ACK {} has come back.",
        f.sender, what, wanted);
  }
  if (o.copies_before > 1) SAY(note, "This is try number {}.", o.copies_before + 1);
  explain_trigger(f, note);
}

void explain_fast_retransmission(const Facts& f, std::string& note) {
  const auto& peer = f.c.side(lab::flow::other(f.from)).analysis;
  SAY(note, "Fast retransmission: the {} sent {} duplicate ACKs asking for byte {}, so the {} resends {} at once instead of waiting for its retransmission timer (RFC 5681: repeated ACKs for the same byte mean a segment was lost while later ones still arrive).",
      f.receiver, peer.dup_acks, f.first(), f.sender, what_it_carries(f));
  if (f.o.retransmission_of != 0)
    SAY(note, "It was first sent in packet #{}{}.", f.o.retransmission_of, f.o.original_dropped ? ", which the lab dropped" : "");
  explain_trigger(f, note);
}

void explain_spurious(const Facts& f, std::string& note) {
  SAY(note, "Spurious retransmission: the {} sends {} again, but the {} had already acknowledged them (ack {}): the first copy arrived, only the ACK was slow or lost, so this copy was not needed.",
      f.sender, what_it_carries(f), f.receiver, f.o.receiver_rel_ack);
  if (f.o.retransmission_of != 0) SAY(note, "It was first sent in packet #{}.", f.o.retransmission_of);
  explain_trigger(f, note);
}

void explain_window_and_ack_findings(const Facts& f, std::string& note) {
  const auto& o = f.o;
  if (o.has(a::zero_window_probe) && explained_at(f.explained, Topic::zero_window_probe, f.index) != 0) {
    SAY(note, "Another zero-window probe (seq {}), as at #{}.", f.first(), explained_at(f.explained, Topic::zero_window_probe, f.index));
  } else if (o.has(a::zero_window_probe)) {
    if (f.len > 0)
      SAY(note, "Zero-window probe: the {}'s window is 0, so the {} pushes {} (seq {}) to ask whether it has opened; the answer is an ACK carrying the current window.",
          f.receiver, f.sender, count_words(f.len, "byte", "bytes"), f.first());
    else
      SAY(note, "Zero-window probe: the {}'s window is 0, so the {} sends a segment with no data (seq {}) to ask whether it has opened; the answer is an ACK carrying the current window.",
          f.receiver, f.sender, f.o.rel_seq);
  }
  if (o.has(a::zero_window) && explained_at(f.explained, Topic::zero_window, f.index) != 0) {
    SAY(note, "Zero window again: the {}'s buffer is still full (as at #{}).", f.sender, explained_at(f.explained, Topic::zero_window, f.index));
  } else if (o.has(a::zero_window)) {
    SAY(note, "Zero window: the {} advertises a window of 0: its receive buffer is full because its application is not reading fast enough. The {} must stop sending data until a window update; meanwhile it may probe whether the window has opened.",
        f.sender, f.receiver);
  }
  if (o.has(a::zero_window_probe_ack)) {
    SAY(note, "Zero-window probe ACK: the {} answers the probe; its window is still 0, its buffer still full.", f.sender);
  }
  if (o.has(a::lost_segment)) {
    const std::uint32_t expected = o.expected_seq - f.sender_isn();
    SAY(note, "Previous segment not captured: this segment starts at seq {}, but the {}'s data seen so far ended before seq {}: {} in between never appeared in the capture.",
        o.rel_seq, f.sender, expected, count_words(o.rel_seq - expected, "sequence number", "sequence numbers"));
    SAY(note, "Either the network lost them (a retransmission should follow) or the capture missed them (a busy capture point drops packets, or saw only part of the path).");
  }
  if (o.has(a::ack_lost_segment)) {
    SAY(note, "ACKed unseen segment: the {} acknowledges data up to ack {} that the capture never saw the {} send.", f.sender, o.rel_ack, f.receiver);
    if (f.c.mid_stream)
      SAY(note, "The capture started in the middle of this connection, so this is most likely an artefact of where the capture started, not a network problem.");
    else
      SAY(note, "The {} did get those packets (it acknowledges them), so the capture missed them (capture-side loss), not the network.", f.sender);
  }
  if (o.has(a::window_full) && explained_at(f.explained, Topic::window_full, f.index) != 0) {
    SAY(note, "Window full again: the {}'s window is used up to its last byte (as at #{}).", f.receiver,
        explained_at(f.explained, Topic::window_full, f.index));
  } else if (o.has(a::window_full)) {
    SAY(note, "Window full: this segment fills the {}'s advertised window to its last byte ({} beyond its last ACK): the {} may send nothing more until the {} acknowledges data or opens its window.",
        f.receiver, count_words(o.receiver_window, "byte", "bytes"), f.sender, f.receiver);
  }
  if (o.has(a::window_update)) {
    SAY(note, "Window update: no data and no new ACK, only a new window ({} → {}): the {}'s application read from its buffer, and the {} tells the {} it may send more.",
        o.previous_window, f.h.window, f.sender, f.sender, f.receiver);
  }
  if (o.has(a::keep_alive)) {
    // Wireshark's tag only says where the segment sits (one below the next seq, at most one byte); why it was sent
    // follows the evidence: the kernel's own counter, a closed window, or else a hedge.
    const std::string shape = fmt::format("seq {}, one before its next seq, with {}", f.o.rel_seq, f.len == 0 ? "no data" : "one byte");
    if (f.trigger == SendTrigger::tail_loss_probe || f.trigger == SendTrigger::timeout) {
      SAY(note, "Wireshark tags it a keep-alive for its shape ({}), but the {}'s kernel counted it as a {}: it resent its last unacknowledged byte to draw an ACK.",
          shape, f.sender, f.trigger == SendTrigger::tail_loss_probe ? "tail-loss probe" : "retransmission timeout");
    } else if (f.o.receiver_window == 0 && f.o.receiver_acked) {
      SAY(note, "Wireshark tags it a keep-alive for its shape ({}), but the {}'s window is 0: this is a probe of the closed window, sent to learn whether it has opened (Linux probes this way: seq one below the oldest unacknowledged byte, no data). The answer is an ACK carrying the current window.",
          shape, f.receiver);
    } else {
      SAY(note, "Keep-alive, as Wireshark tags it: the {} sends {}, {} after its previous packet. Sent after an idle time, such a segment checks that the {} is still there (SO_KEEPALIVE); the {} is expected to answer with its usual ACK. A capture cannot tell for sure why it was sent.",
          f.sender, shape, duration_words(f.o.since_sender_previous_ns), f.receiver, f.receiver);
    }
  }
  if (o.has(a::keep_alive_ack)) {
    SAY(note, "Keep-alive ACK: the {} answers the keep-alive with its usual ACK: it is still there.", f.sender);
  }
  if (o.has(a::duplicate_ack) && o.answers_copy != 0) {
    SAY(note, "Duplicate ACK #{} of packet #{} in Wireshark's terms, but nothing is missing: it answers packet #{}, a copy of what the {} had already received. RFC 9293 (section 3.10.7.4) has a receiver answer a segment that is entirely old with an ACK of where it stands.",
        o.dup_ack_num, o.dup_ack_frame, o.answers_copy, f.sender);
  } else if (o.has(a::duplicate_ack)) {
    SAY(note, "Duplicate ACK #{} of packet #{}: the {} still asks for byte {} (same ack, same window, no data), so something after byte {} is missing or arrived out of order.",
        o.dup_ack_num, o.dup_ack_frame, f.sender, o.rel_ack, o.rel_ack - 1);
    if (o.dup_ack_num >= 3)
      SAY(note, "With three duplicates the {} should retransmit at once (fast retransmit).", f.receiver);
    else
      SAY(note, "Three duplicates make the {} retransmit at once (fast retransmit).", f.receiver);
  }
  if (o.has(a::out_of_order)) {
    SAY(note, "Out of order: seq {} is below data the {} has already sent (up to seq {}), too soon after it to be a retransmission: the segments were reordered on the way (or around the capture point).",
        o.rel_seq, f.sender, o.expected_seq - f.sender_isn());
  }
}

}  // namespace

void explain_tcp_analysis(const PacketContext& context, std::string& note) {
  const auto& obs = context.observation;
  if (!obs.tcp.analysis.any()) return;
  const Facts f{*context.packet.tcp,
                obs.tcp,
                *obs.conversation,
                obs.from,
                lab::flow::role_name(obs.from),
                lab::flow::role_name(lab::flow::other(obs.from)),
                context.packet.payload_len,
                context.frame.wire.trigger,
                context.index,
                context.explained,
                context.frame.wire.id != 0};
  if (obs.tcp.has(a::retransmission)) explain_retransmission(f, note);
  if (obs.tcp.has(a::fast_retransmission)) explain_fast_retransmission(f, note);
  if (obs.tcp.has(a::spurious_retransmission)) explain_spurious(f, note);
  explain_window_and_ack_findings(f, note);
}

void explain_dropped(const PacketContext& context, std::string& note) {
  const auto& obs = context.observation;
  const char* sender = lab::flow::role_name(obs.from);
  const char* receiver = lab::flow::role_name(lab::flow::other(obs.from));
  SAY(note, "Dropped by the lab: this packet left the {} but never reaches the {}.", sender, receiver);
  if (context.packet.tcp)
    SAY(note, "The {}'s kernel counts it as sent; the {} knows nothing of it, so its state does not change.", sender, receiver);
  else
    SAY(note, "The {} has no idea it is gone, and UDP will not tell it: nothing acknowledges a datagram.", sender);
}

}  // namespace lab::annotate
