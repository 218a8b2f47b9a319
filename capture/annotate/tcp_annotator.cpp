// Explains one TCP segment from what the tracker concluded: the handshake step, the bytes it carries and
// the sequence arithmetic, what its ACK confirms, the FIN or RST, and the state changes it caused.
#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"

namespace lab::annotate {
namespace {

using lab::decode::TcpHeader;
using lab::decode::TcpOptions;
using lab::flow::Conversation;
using lab::flow::Role;
using lab::flow::TcpObservation;
using lab::flow::TcpState;
namespace flag = lab::decode::tcp_flag;

struct Segment {  // everything an explanation needs, named once
  const TcpHeader& h;
  const TcpObservation& o;
  const Conversation& c;
  Role from;
  const char* sender;
  const char* receiver;
  std::uint32_t len;
  std::uint32_t index;
  std::int64_t time_ns;
  bool delivered;  // false: the lab's wire dropped it
  lab::decode::SendTrigger trigger;  // what the sending kernel counted it as (lab runs only)
  std::int64_t delivered_ns;         // when the lab's wire handed it over (0: not a wire frame, or dropped)
  Explained* explained;              // what this run has explained in full already (may be null)
  bool on_wire;                      // the lab's wire carried it
};

// The options a SYN offers. The first time each is explained; in the answering SYN-ACK a short list does.
void append_options(std::string& note, const TcpOptions& opt, bool explain) {
  std::string parts;
  auto add = [&parts](const std::string& part) {
    if (!parts.empty()) parts += "; ";
    parts += part;
  };
  if (opt.mss) add(explain ? fmt::format("MSS {} (it accepts segments of up to {} data bytes)", *opt.mss, *opt.mss)
                           : fmt::format("MSS {}", *opt.mss));
  if (opt.window_scale) {
    const unsigned factor = 1u << (*opt.window_scale > 14 ? 14 : *opt.window_scale);
    add(explain ? fmt::format("window scale {} (its window field is to be multiplied by 2^{} = {})", *opt.window_scale,
                              *opt.window_scale, factor)
                : fmt::format("window scale {} (x{})", *opt.window_scale, factor));
  }
  if (opt.sack_permitted)
    add(explain ? "SACK permitted (it can report exactly which later segments arrived if one is lost)" : "SACK permitted");
  if (opt.has_timestamps)
    add(explain ? "timestamps (each segment carries a clock value, to measure round-trip time and to tell old "
                  "duplicates apart)"
                : "timestamps");
  if (parts.empty()) SAY(note, "It offers no TCP options.");
  else SAY(note, "It offers: {}.", parts);
}

void explain_syn(const Segment& s, std::string& note) {
  if (s.o.has(lab::flow::analysis::retransmission)) return;  // the analysis has said it is the SYN again
  if (s.o.before[static_cast<int>(s.from)] == TcpState::syn_sent) {
    SAY(note, "The {} sends its SYN again (seq 0): the first one got no answer.", s.sender);
    return;
  }
  SAY(note, "Handshake 1/3: the {} asks to open a connection (SYN).", s.sender);
  SAY(note, "It picks an initial sequence number (ISN) of {}; here numbers are shown relative to it, so this SYN is seq 0.", s.h.seq);
  SAY(note, "A SYN carries no data but consumes one sequence number, so the {}'s first data byte will be seq 1.", s.sender);
  append_options(note, s.h.options, true);
}

void explain_syn_ack(const Segment& s, std::string& note) {
  if (s.o.analysis.retransmission_family() && s.c.syn_ack_time_ns >= 0 && s.c.syn_ack_time_ns < s.time_ns) {
    // A copy: its ISN and options are those of the first SYN-ACK, said there.
    SAY(note, "Handshake 2/3 again: the same SYN-ACK (ISN {}, ack {}).", s.h.seq, s.o.rel_ack);
    const int to = static_cast<int>(lab::flow::other(s.from));
    if (s.o.after[to] == TcpState::established && s.o.before[to] != TcpState::established)
      SAY(note, "The {}'s connect() can now return.", s.receiver);
    return;
  }
  SAY(note, "Handshake 2/3: the {} accepts (SYN-ACK).", s.sender);
  SAY(note, "Its own ISN is {} (shown as seq 0), and ack {} acknowledges the {}'s SYN: \"I got your seq 0, send 1 next\".",
      s.h.seq, s.o.rel_ack, s.receiver);
  // Timed from the latest SYN (a SYN sent again restarts the clock); a copy of the SYN-ACK times nothing.
  const std::int64_t syn_ns = s.c.last_syn_ns != 0 ? s.c.last_syn_ns : s.c.syn_time_ns;
  if (syn_ns >= 0 && !s.o.analysis.retransmission_family()) {
    if (s.on_wire && !s.delivered)
      SAY(note, "It left the {} {} after the SYN left the {} (the lab's wire saw both).", s.sender,
          duration_words(s.time_ns - syn_ns), s.receiver);
    else if (s.delivered_ns != 0)  // the lab's wire: it saw the SYN leave, and knows when this reaches the client
      SAY(note, "The wire took it from the {} {} after the SYN left the {}, and hands it over {} after the SYN left: the round trip the {} sees.",
          s.sender, duration_words(s.time_ns - syn_ns), s.receiver, duration_words(s.delivered_ns - syn_ns), s.receiver);
    else
      SAY(note, "It was captured {} after the SYN: the round trip as seen from where the capture was taken (all of it if that is next to the {}, as on a loopback).",
          duration_words(s.time_ns - syn_ns), s.receiver);
  }
  append_options(note, s.h.options, false);
  const auto& client = s.c.side(Role::client);
  const auto& server = s.c.side(Role::server);
  if (client.window_scale && server.window_scale) SAY(note, "Both sides offered window scaling, so it is in use.");
  else if (server.window_scale && !client.syn_sent)
    // The capture missed the SYN. RFC 7323 2.2: a SYN-ACK carries Window Scale only if the SYN did.
    SAY(note, "It offers window scaling, which a SYN-ACK may do only if the SYN did (RFC 7323, section 2.2): both sides use it, though the capture, which missed the SYN, cannot know the client's factor.");
  else if (client.window_scale || server.window_scale) SAY(note, "Only one side offered window scaling, so neither uses it.");
  const int to = static_cast<int>(lab::flow::other(s.from));
  if (s.o.after[to] == TcpState::established && s.o.before[to] != TcpState::established)
    SAY(note, "The {}'s connect() can now return.", s.receiver);
}

void explain_handshake_ack(const Segment& s, std::string& note) {
  if (s.delivered && s.len > 0) {
    // The bare ACK was lost (or never sent): the ACK field of the first data segment does its job.
    SAY(note, "Handshake 3/3, carried by data: this segment's ack 1 is the first acknowledgement of the {}'s SYN to reach it (a bare ACK before it was lost, or never sent), so it completes the handshake. A lost ACK is never resent by itself: every later segment carries the same acknowledgement, and that is enough. Both sides are now ESTABLISHED.",
        s.receiver);
    return;
  }
  if (s.delivered)
    SAY(note, "Handshake 3/3: the {} acknowledges the {}'s SYN (ack 1). Both sides are now ESTABLISHED.", s.sender, s.receiver);
  else
    SAY(note, "Handshake 3/3: the {} acknowledges the {}'s SYN (ack 1), but this ACK never arrives: the {} stays SYN-RECEIVED until its SYN-ACK is acknowledged (it will send the SYN-ACK again, or take the ACK of the {}'s first data).",
        s.sender, s.receiver, s.receiver, s.sender);
  const std::int64_t latest_syn_ns = s.c.last_syn_ns != 0 ? s.c.last_syn_ns : s.c.syn_time_ns;
  if (latest_syn_ns >= 0) {
    SAY(note, "From the latest SYN to this ACK: {} (Wireshark calls this the initial RTT).", duration_words(s.time_ns - latest_syn_ns));
    if (s.c.syn_time_ns >= 0 && s.c.syn_time_ns != latest_syn_ns)
      SAY(note, "From the first SYN, the whole handshake took {}.", duration_words(s.time_ns - s.c.syn_time_ns));
  }
  if (s.len == 0)
    SAY(note, "This ACK carries no data and consumes no sequence number: the {}'s next seq is still {}.", s.sender,
        s.o.rel_next_seq);
}

// `quote`: show the first bytes (not for TLS records, whose bytes are binary and, after the hellos, encrypted).
void explain_data(const Segment& s, const lab::decode::DecodedPacket& packet, bool quote, std::string& note) {
  const std::uint32_t first = s.o.rel_seq + (s.h.has(flag::syn) ? 1 : 0);
  const std::uint32_t last = first + s.len - 1;
  SAY(note, "The {} sends {} of data{}", s.sender, count_words(s.len, "byte", "bytes"), quote ? ":" : "");
  if (quote) append_payload_quote(note, packet);
  if (s.len == 1) SAY(note, "— byte seq {}, so its next seq is {}.", first, last + 1);
  else SAY(note, "— seq {}..{}, so its next seq is {}.", first, last, last + 1);
  if (s.h.has(flag::psh)) {
    if (const auto at = explained_at(s.explained, Topic::push, s.index))
      SAY(note, "PSH (push), as at #{}.", at);
    else
      SAY(note, "PSH (push): the sender asks that this be handed to the receiving application now, without waiting for more. (Linux sets it where a write's data ends, or when much is unpushed; the capture cannot tell which.)");
  }
  const TcpState sender_before = s.o.before[static_cast<int>(s.from)];
  if (sender_before == TcpState::close_wait)
    SAY(note, "The {} is in CLOSE-WAIT, yet it still sends: the {}'s FIN closed one direction only (a half-close), and the {} can still receive.",
        s.sender, s.receiver, s.receiver);
  else if (sender_before == TcpState::fin_wait_1 || sender_before == TcpState::last_ack)
    SAY(note, "Its application has already closed ({}): these bytes were queued before the close, and its FIN follows them.",
        lab::flow::tcp_state_name(sender_before));
}

// Cumulative ACKs (one number confirms everything before it) and delayed ACKs (a receiver waiting a moment
// in case its ACK can ride on data or cover a second segment).
void explain_cumulative_and_delayed(const Segment& s, std::string& note) {
  if (s.o.acked_segments >= 2) {
    if (const auto at = explained_at(s.explained, Topic::cumulative_ack, s.index))
      SAY(note, "It confirms {} segments at once (packets #{} to #{}), as at #{}.", s.o.acked_segments,
          s.o.first_acked_packet, s.o.last_acked_packet, at);
    else
      SAY(note, "It confirms {} segments at once (packets #{} to #{}): acknowledgements are cumulative, one ack number confirms every byte before it.",
          s.o.acked_segments, s.o.first_acked_packet, s.o.last_acked_packet);
  }
  if (s.len > 0 || s.h.has(flag::fin)) return;  // a piggybacked ACK was not delayed for its own sake
  if (s.trigger == lab::decode::SendTrigger::delayed_ack) {
    if (const auto at = explained_at(s.explained, Topic::delayed_ack, s.index)) {
      SAY(note, "The {}'s kernel counted it as a delayed ACK (its delayed-ACK timer ran out, as at #{}).", s.sender, at);
      return;
    }
    SAY(note, "The {}'s kernel counted it as a delayed ACK: rather than answer at once, it waited (Linux: 40 ms at first, up to 200 ms) for data of its own to carry the ACK, or for a second segment to confirm with one ACK, and its delayed-ACK timer ran out first.",
        s.sender);
  } else if (s.trigger == lab::decode::SendTrigger::unknown && s.delivered_ns == 0 && s.delivered &&
             s.o.acked_segments == 1 && s.o.acked_packet != 0 && s.o.acked_packet_age_ns >= 30'000'000) {
    // Only for a capture made elsewhere: on the lab's wire the kernel's own counter has already said no (and the
    // gap includes the wire's delay).
    SAY(note, "Sent {} after the data it confirms: most likely a delayed ACK (a receiver may wait, 40 ms at first on Linux, for data of its own to carry the ACK). A capture cannot tell for sure.",
        duration_words(s.o.acked_packet_age_ns));
  }
}

void explain_ack(const Segment& s, std::string& note) {
  const std::uint32_t a = s.o.rel_ack;
  if (s.o.newly_acked == 0) {
    // On a segment with data or a FIN the repeated ACK number is routine; on a bare ACK it is worth a word.
    namespace an = lab::flow::analysis;
    const bool analysed = s.o.has(an::duplicate_ack) || s.o.has(an::window_update) || s.o.has(an::keep_alive_ack) ||
                          s.o.has(an::zero_window_probe_ack);  // the analysis has said what this repeated ACK means
    if (s.len == 0 && !s.h.has(flag::fin) && !analysed)
      SAY(note, "Its ack {} repeats what the {} had already acknowledged: nothing new is confirmed.", a, s.sender);
    return;
  }
  if (s.o.acks_fin) {
    SAY(note, "Ack {} acknowledges the {}'s FIN (the FIN took seq {}, so the next expected number is {}).", a, s.receiver, a - 1, a);
  } else if (s.len > 0) {
    SAY(note, "It also carries ack {}: the {}'s bytes up to {} arrived (a piggybacked ACK: the acknowledgement rides on data instead of needing a packet of its own).",
        a, s.receiver, a - 1);
  } else {
    // An ack one past the other side's FIN counts that FIN too: the last byte is one before it.
    const auto& receiver = s.c.side(lab::flow::other(s.from));
    const bool covers_fin = receiver.fin_sent && a == receiver.fin_seq + 1 - receiver.isn;
    const std::string upto = covers_fin ? fmt::format("byte {} and its FIN", a - 2) : fmt::format("byte {}", a - 1);
    if (s.h.has(flag::fin))
      SAY(note, "Its ack {} tells the {} that everything up to {} arrived.", a, s.receiver, upto);
    else
      SAY(note, "A pure ACK (no data): the {} tells the {} \"everything up to {} arrived; send {} next\".", s.sender, s.receiver, upto, a);
  }
  if (s.o.acked_packet != 0 && s.delivered)
    SAY(note, "It confirms packet #{}, sent {} earlier.", s.o.acked_packet, duration_words(s.o.acked_packet_age_ns));
  else if (s.o.acked_packet != 0)
    SAY(note, "It would have confirmed packet #{}, sent {} earlier.", s.o.acked_packet, duration_words(s.o.acked_packet_age_ns));
  explain_cumulative_and_delayed(s, note);
}

void explain_fin(const Segment& s, std::string& note) {
  if (!s.o.new_fin) return;  // a FIN sent again: the analysis has said so, and what it is
  const TcpState sender_before = s.o.before[static_cast<int>(s.from)];
  const std::uint32_t fin_seq = s.o.rel_next_seq - 1;
  if (s.o.simultaneous_close) {
    SAY(note, "The {} sends its FIN (seq {}) before the {}'s FIN reached it (its ack {} does not cover that FIN): both sides are closing at the same time.",
        s.sender, fin_seq, s.receiver, s.o.rel_ack);
    if (sender_before == TcpState::close_wait)
      SAY(note, "The capture, which sees each packet as it leaves, had taken the {}'s FIN as already arrived and shown the {} in CLOSE-WAIT; this FIN shows that it had not: both FINs were on the wire at once.",
          s.receiver, s.sender);
  } else if (sender_before == TcpState::close_wait || sender_before == TcpState::last_ack) {
    SAY(note, "The {} closes its side too (FIN, seq {}): its application called close() after the {}'s FIN arrived.",
        s.sender, fin_seq, s.receiver);
  } else {
    SAY(note, "The {} closes first (FIN, seq {}): its application called close() (or shutdown()) and will send no more data.", s.sender, fin_seq);
  }
  SAY(note, "A FIN consumes one sequence number, so it will be acknowledged with ack {}.", fin_seq + 1);
}

// Where the FIN takes effect: a receiver processes segments in sequence order (RFC 9293 3.10.7.4), so a FIN that
// arrives beyond a gap waits, and takes effect with the segment that fills the gap.
void explain_fin_effect(const Segment& s, std::string& note) {
  if (s.o.fin_held)
    SAY(note, "It arrives beyond a gap (the {} is still missing the bytes from seq {}): its kernel keeps the FIN aside until the gap is filled, and stays {} meanwhile.",
        s.receiver, s.o.gap_from, lab::flow::tcp_state_name(s.o.after[static_cast<int>(lab::flow::other(s.from))]));
  if (s.o.fin_arrives && s.o.fin_from_packet != 0 && s.o.fin_from_packet != s.index)
    SAY(note, "It fills the gap in front of the FIN that arrived earlier (#{}): with it the {} has everything up to that FIN, which takes effect now.",
        s.o.fin_from_packet, s.receiver);
}

// An RST answering a SYN from a side that never sent a SYN-ACK: nobody listened there.
bool refuses_connection(const Segment& s) {
  const TcpState receiver_before = s.o.before[static_cast<int>(lab::flow::other(s.from))];
  return s.h.has(flag::rst) && receiver_before == TcpState::syn_sent && !s.c.side(s.from).syn_sent;
}

// Why it resets, as far as the packets before it say (rst_clues.hpp), and what they cannot say.
void explain_rst_clues(const Segment& s, std::string& note) {
  const lab::flow::RstClues& r = s.o.rst;
  switch (r.clue) {
    case lab::flow::RstClue::data_after_close:
      SAY(note, "Why, from the packets: the {} had sent its FIN (#{}), and the {} sent new data after it (#{}). A FIN alone does not tell close() from shutdown(); a reset here says its program had closed: a socket closed by its program can read nothing more, so its kernel answers new data with RST, to show that the data was lost (RFC 9293, section 3.6.1).",
          s.sender, r.own_fin_packet, s.receiver, r.peer_data_packet);
      break;
    case lab::flow::RstClue::unread_data:
      SAY(note, "Why, from the packets: the {}'s data of #{} had reached the {} ({} before; this RST acknowledges it). A program that closes while received data is still unread makes its kernel reset rather than send FIN (RFC 9293, section 3.6.1; RFC 2525, section 2.17). A capture cannot see whether the program had read it: an abortive close (SO_LINGER 0) resets the same way.",
          s.receiver, r.peer_data_packet, s.sender, duration_words(r.since_peer_data_ns));
      break;
    case lab::flow::RstClue::other_ttl:
      SAY(note, "Why, from the packets: its TTL is {}, where the {}'s earlier packets had {}: it may come from somewhere else on the path, such as a firewall resetting the connection in the {}'s name. (A capture cannot prove who sent it.)",
          r.ttl, s.sender, r.sender_ttl_before, s.sender);
      break;
    case lab::flow::RstClue::idle:
      SAY(note, "Why, from the packets: the connection had been quiet for {} before it. An idle timeout (of a firewall, a NAT or the server) is the usual reason; the capture cannot tell whose.",
          duration_words(r.idle_ns));
      break;
    case lab::flow::RstClue::none:
      SAY(note, "Nothing in the packets before it points to a reason: an abortive close (SO_LINGER 0) or an error in the program are the usual ones, and a capture cannot tell them apart.");
      break;
  }
}

void explain_rst(const Segment& s, std::string& note) {
  if (refuses_connection(s)) {
    SAY(note, "RST: the {} refuses the connection: nothing listens on port {}. The {}'s connect() fails with \"connection refused\".",
        s.sender, s.h.src_port, s.receiver);
    if (s.c.side(s.from).nobody_listens)
      SAY(note, "No program answered: the {}'s kernel did, for a port with no listening socket (this lab started no server), so that side stays CLOSED.",
          s.sender);
    else
      SAY(note, "No program answered: the {}'s kernel did, for a port with no listening socket. (Seeing the SYN, the capture had assumed a listener in SYN-RECEIVED; there was none, so that side was CLOSED all along.)",
          s.sender);
    if (s.h.seq == 0 && s.h.has(flag::ack))
      SAY(note, "Its raw sequence number is 0, shown here as seq {} in Wireshark's relative numbering: a reset answering a segment that had no ACK carries seq 0 and acknowledges that segment (RFC 9293, section 3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>).",
          s.o.rel_seq);
    return;
  }
  SAY(note, "RST (reset): the {} aborts the connection. Unlike a FIN there is no goodbye: both sides forget the connection at once (CLOSED, no TIME-WAIT) and data still in flight is thrown away.", s.sender);
  explain_rst_clues(s, note);
}

const char* state_meaning(TcpState state) {
  switch (state) {
    case TcpState::syn_sent: return "waiting for the answer to its SYN";
    case TcpState::syn_received: return "it got the SYN, answers with its own SYN-ACK, and waits for the last ACK of the handshake";
    case TcpState::established: return "data can flow both ways";
    case TcpState::fin_wait_1: return "it has sent its FIN and waits for it to be acknowledged";
    case TcpState::fin_wait_2: return "its FIN is acknowledged; it can still receive, and waits for the other side's FIN";
    case TcpState::close_wait: return "the other side is done sending: its application will read end-of-file (recv() returns 0) and is expected to close() too";
    case TcpState::closing: return "both sides sent FIN at once; it waits for the ACK of its own";
    case TcpState::last_ack: return "it has sent its own FIN and waits for the last ACK";
    case TcpState::time_wait:
      return "it has seen both FINs; after acknowledging the last one it keeps the connection a while in case that "
             "ACK is lost and the FIN comes again, and so that stray old segments die out before the same ports are "
             "reused (RFC 9293: 2 x MSL, 4 minutes; Linux: a fixed 60 s). This wait never shows on the wire";
    case TcpState::closed: return "the connection is gone";
    default: return nullptr;
  }
}

Topic state_topic(TcpState state) {
  switch (state) {
    case TcpState::syn_sent: return Topic::state_syn_sent;
    case TcpState::syn_received: return Topic::state_syn_received;
    case TcpState::established: return Topic::state_established;
    case TcpState::fin_wait_1: return Topic::state_fin_wait_1;
    case TcpState::fin_wait_2: return Topic::state_fin_wait_2;
    case TcpState::close_wait: return Topic::state_close_wait;
    case TcpState::closing: return Topic::state_closing;
    case TcpState::last_ack: return Topic::state_last_ack;
    case TcpState::time_wait: return Topic::state_time_wait;
    default: return Topic::state_closed;
  }
}

void explain_state_changes(const Segment& s, std::string& note) {
  // Held on the wire (--delay), a packet may find its receiver changed since it was sent.
  const Role to = lab::flow::other(s.from);
  const TcpState receiver_on_arrival = s.o.before[static_cast<int>(to)];
  if (s.delivered_ns > s.time_ns && receiver_on_arrival == s.o.receiver_when_sent &&
      s.o.receiver_sent_before_arrival != 0) {
    if (const auto at = explained_at(s.explained, Topic::wire_order, s.index))
      SAY(note, "It reached the {} after the {}'s own #{} had left (as at #{}).", s.receiver, s.receiver,
          s.o.receiver_sent_before_arrival, at);
    else
      SAY(note, "It reached the {} {} after it was captured, after the {}'s own #{} had left: the wire hands a packet over only once it has taken what the receiver sent before it.",
          s.receiver, duration_words(s.delivered_ns - s.time_ns), s.receiver, s.o.receiver_sent_before_arrival);
  }
  if (s.delivered_ns > s.time_ns && receiver_on_arrival != s.o.receiver_when_sent) {
    const auto& receiver = s.c.side(to);
    SAY(note, "By the time it reached the {}, {} later, the {} had moved on from {} to {}", s.receiver,
        duration_words(s.delivered_ns - s.time_ns), s.receiver, lab::flow::tcp_state_name(s.o.receiver_when_sent),
        lab::flow::tcp_state_name(receiver_on_arrival));
    if (receiver.fin_sent && receiver.fin_packet > s.index) fmt::format_to(std::back_inserter(note), " (its own FIN, #{}, left meanwhile).", receiver.fin_packet);
    else note += '.';
  }
  for (Role role : {Role::client, Role::server}) {
    const TcpState before = s.o.before[static_cast<int>(role)];
    const TcpState after = s.o.after[static_cast<int>(role)];
    if (before == after || after == TcpState::unknown) continue;
    if (role == s.from && refuses_connection(s)) continue;  // said above: it never was SYN-RECEIVED
    if (role == s.from && s.o.capture_corrected) {
      SAY(note, "The capture had shown the {} ESTABLISHED, taking the {}'s {} as arrived; sending its {} again shows it had not, so the {} is still {}. (A capture taken at one point cannot tell a packet that arrived from one lost after it passed.)",
          s.sender, s.receiver, s.h.has(flag::ack) ? "ACK" : "SYN-ACK", s.h.has(flag::ack) ? "SYN-ACK" : "SYN",
          s.sender, lab::flow::tcp_state_name(after));
      continue;
    }
    if (before == TcpState::unknown) {
      SAY(note, "The {} is now {}", lab::flow::role_name(role), lab::flow::tcp_state_name(after));
    } else {
      SAY(note, "The {} goes {} → {}", lab::flow::role_name(role), lab::flow::tcp_state_name(before),
          lab::flow::tcp_state_name(after));
    }
    if (before == TcpState::fin_wait_1 && after == TcpState::time_wait)
      note += " (skipping FIN-WAIT-2: the ACK of its FIN and the other side's FIN came in one packet)";
    const char* meaning = state_meaning(after);
    const std::uint32_t at = meaning ? explained_at(s.explained, state_topic(after), s.index) : 0;
    if (at != 0) fmt::format_to(std::back_inserter(note), " (explained at #{}).", at);
    else if (meaning) fmt::format_to(std::back_inserter(note), ": {}.", meaning);
    else note += '.';
  }
}

}  // namespace

void explain_tcp(const PacketContext& context, const AnnotateOptions& options, std::string& note) {
  const auto& o = context.observation;
  const Segment s{*context.packet.tcp, o.tcp, *o.conversation, o.from, lab::flow::role_name(o.from),
                  lab::flow::role_name(lab::flow::other(o.from)), context.packet.payload_len, context.index,
                  context.frame.time_ns, o.delivered, context.frame.wire.trigger, context.frame.wire.delivered_ns,
                  context.explained, context.frame.wire.id != 0};
  if (o.first_of_conversation && o.conversation->mid_stream) {
    SAY(note, "The capture starts in the middle of this connection (no SYN seen): sequence numbers are relative to this packet, and the roles are {}.",
        o.conversation->roles_guessed ? "a guess" : "taken from the SYN-ACK");
  }
  explain_tcp_analysis(context, note);  // what Wireshark would flag comes first, as its Info column shows it
  if (s.h.has(flag::rst)) {
    explain_rst(s, note);
  } else if (o.tcp.handshake_step == 1) {
    explain_syn(s, note);
  } else if (o.tcp.handshake_step == 2) {
    explain_syn_ack(s, note);
  } else {
    if (o.tcp.handshake_step == 3) explain_handshake_ack(s, note);
    if (s.len > 0) explain_data(s, context.packet, !o.tls.carries, note);
    if (o.http.carries) explain_http(context, note);
    if (o.tls.carries) explain_tls(context, note);
    if (s.h.has(flag::fin)) explain_fin(s, note);
    if (o.http.close.known) explain_http_close(context, note);
    explain_fin_effect(s, note);
    if (s.h.has(flag::ack) && o.tcp.handshake_step != 3) explain_ack(s, note);
  }
  explain_state_changes(s, note);
  if (options.absolute) {
    SAY(note, "(Raw numbers: seq {}", s.h.seq);
    if (s.h.has(flag::ack)) fmt::format_to(std::back_inserter(note), ", ack {}", s.h.ack);
    note += ".)";
  }
}

}  // namespace lab::annotate
