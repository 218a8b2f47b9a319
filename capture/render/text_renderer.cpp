#include "capture/render/text_renderer.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <charconv>
#include <iterator>
#include <vector>

#include "capture/annotate/words.hpp"
#include "capture/decode/tls.hpp"
#include "capture/flow/flow_key.hpp"
#include "capture/render/coloring_rules.hpp"
#include "capture/render/escape.hpp"
#include "capture/render/summary.hpp"
#include "capture/render/tcp_words.hpp"

namespace lab::render {
namespace {

using lab::flow::Role;
using lab::flow::TcpState;
namespace flag = lab::decode::tcp_flag;

constexpr const char* cyan = "\x1b[36m";
constexpr const char* bold = "\x1b[1m";
constexpr const char* reset = "\x1b[0m";
constexpr int note_indent = 6;

// The packet line in the colours of Wireshark's default rule for it (coloring_rules.hpp), or nothing.
void append_packet_colour(std::string& out, const lab::decode::DecodedPacket& p, const lab::flow::Observation& o) {
  const ColoringRule* rule = coloring_rule(p, o);
  if (rule) fmt::format_to(std::back_inserter(out), FMT_COMPILE("\x1b[48;5;{};38;5;{}m"), rule->background, rule->foreground);
}

// "client:48258 → server:65432" — the client always on the left, the arrow shows the direction.
void append_direction(std::string& out, const PacketView& v) {
  const auto& c = *v.observation.conversation;
  const bool from_client = v.observation.from == Role::client;
  fmt::format_to(std::back_inserter(out), "client:{} {} server:{}", c.at(Role::client).port, from_client ? "→" : "←",
                 c.at(Role::server).port);
}

// The packet's numbers, one piece each (separated by '\n', see append_extras): "TCP [SYN,ACK]", "seq=0", "ack=1",
// "len=0", "win=65160".
void collect_tcp_numbers(std::string& pieces, const PacketView& v) {
  const auto& h = *v.packet.tcp;
  const auto& o = v.observation.tcp;
  auto it = std::back_inserter(pieces);
  pieces += " TCP [";  // the leading space: two between the ports and the protocol
  bool first = true;
  for_each_flag(h.flags, [&](const char* name) {
    if (!first) pieces += ',';
    first = false;
    pieces += name;
  });
  pieces += "]\n";
  fmt::format_to(it, FMT_COMPILE("seq={}\n"), o.rel_seq);
  if (h.has(flag::ack)) fmt::format_to(it, FMT_COMPILE("ack={}\n"), o.rel_ack);
  fmt::format_to(it, FMT_COMPILE("len={}\n"), v.packet.payload_len);
  fmt::format_to(it, FMT_COMPILE("win={}"), h.window);
  // After the handshake the window field counts in units of 2^scale when both sides offered scaling.
  const auto& c = *v.observation.conversation;
  const auto& own_scale = c.side(v.observation.from).window_scale;
  const auto& other_scale = c.side(lab::flow::other(v.observation.from)).window_scale;
  if (!h.has(flag::syn) && own_scale && other_scale && *own_scale > 0) {
    const unsigned shift = *own_scale > 14 ? 14u : *own_scale;
    fmt::format_to(it, FMT_COMPILE("×{}={}"), 1u << shift, static_cast<std::uint64_t>(h.window) << shift);
  }
  pieces += '\n';
}

// Columns a piece of UTF-8 text takes (each character one column, as every character lab writes does).
std::size_t columns(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// What follows a packet's numbers, each piece apart (separated by '\n' in `extras`): the raw numbers (--absolute),
// Wireshark's tags for what its sequence analysis found ("[TCP Retransmission]", "[TCP Dup ACK 7#2]"), and a marker
// when the lab's wire dropped the packet.
void collect_extras(std::string& extras, const PacketView& v, bool absolute) {
  auto it = std::back_inserter(extras);
  const auto& o = v.observation.tcp;
  if (v.packet.tcp && absolute) {
    fmt::format_to(it, FMT_COMPILE("(raw seq={}"), v.packet.tcp->seq);
    if (v.packet.tcp->has(flag::ack)) fmt::format_to(it, FMT_COMPILE(" ack={}"), v.packet.tcp->ack);
    extras += ")\n";
  }
  if (v.packet.tcp) {
    for (const std::uint16_t finding : lab::flow::analysis::all) {
      if (!o.has(finding)) continue;
      extras += '[';
      extras += lab::flow::analysis::info_tag(finding);
      if (finding == lab::flow::analysis::duplicate_ack)
        fmt::format_to(it, FMT_COMPILE(" {}#{}"), o.dup_ack_frame, o.dup_ack_num);
      extras += "]\n";
    }
  }
  // HTTP, as Wireshark's Info column names it: "GET /ping", "200 OK" (escaped: the words come from the wire).
  const auto& http = v.observation.http;
  for (std::size_t i = 0; i < http.head_count; ++i) {
    const auto& m = http.heads[i];
    extras += "HTTP ";
    if (m.is_request) {
      append_escaped_bytes(extras, m.method.view(), 16);
      extras += ' ';
      append_escaped_bytes(extras, m.target.view(), 32);
    } else {
      fmt::format_to(it, FMT_COMPILE("{} "), m.status);
      append_escaped_bytes(extras, m.reason.view(), 24);
    }
    extras += '\n';
  }
  // TLS: the hello it carries, else its records' types ("TLS application_data×2"), as Wireshark's Info names them.
  const auto& tls = v.observation.tls;
  if (tls.hello_count > 0) {
    for (std::size_t i = 0; i < tls.hello_count; ++i)
      fmt::format_to(it, FMT_COMPILE("TLS {}\n"), lab::decode::tls_handshake_type_name(tls.hellos[i].type));
  } else if (tls.record_count > 0) {
    const char* name = tls.other_handshake_count > 0 ? lab::decode::tls_handshake_type_name(tls.other_handshake_types[0])
                                                     : lab::decode::tls_content_type_name(tls.records[0].content_type);
    fmt::format_to(it, FMT_COMPILE("TLS {}"), name ? name : "record");
    const std::size_t more = tls.record_count - 1u + tls.records_not_kept;
    if (more > 0) fmt::format_to(it, FMT_COMPILE(" +{}"), more);
    extras += '\n';
  }
  if (!v.observation.delivered) extras += " DROPPED by the lab\n";
}

// Appends the extras to the line that starts at `line_start`, each where it fits within `width` columns; one that
// does not fit starts a new line, indented.
void append_extras(std::string& out, std::size_t line_start, std::string_view extras, int width) {
  constexpr std::string_view continuation = "        ";
  std::size_t used = columns(std::string_view(out).substr(line_start));
  while (!extras.empty()) {
    const std::size_t end = extras.find('\n');
    std::string_view piece = extras.substr(0, end);
    extras.remove_prefix(end == std::string_view::npos ? extras.size() : end + 1);
    if (used + 1 + columns(piece) > static_cast<std::size_t>(width) && used > continuation.size()) {
      out += '\n';
      out += continuation;
      used = continuation.size();
      // A piece's leading space separates it from what precedes it on the line: at the start of one, the
      // continuation's indent does.
      while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    } else {
      out += ' ';
      ++used;
    }
    out += piece;
    used += columns(piece);
  }
}

bool is_arp(const lab::decode::DecodedPacket& p) { return p.link.protocol == lab::decode::ethertype::arp && !p.has_ip(); }

// An ARP packet's line after its time, each piece apart (separated by '\n', see append_extras), as Wireshark's Info
// column says it: "ARP request" "who has 10.0.0.2?" "tell 10.0.0.1"; "ARP reply" "10.0.0.2 is at 02:00:00:00:00:02".
void collect_arp_pieces(std::string& pieces, const lab::decode::DecodedPacket& p) {
  auto it = std::back_inserter(pieces);
  char a[46], b[46];
  const auto ip = [](const lab::decode::IpAddress& address, char* text) {
    return std::string_view(text, lab::decode::format_ip(address, text));
  };
  const auto mac = [](const lab::decode::MacAddress& address, char* text) {
    return std::string_view(text, lab::decode::format_mac(address, text));
  };
  if (!p.arp) {
    pieces += "ARP\n";
    return;
  }
  const auto& h = *p.arp;
  if (!h.addresses_read) {
    fmt::format_to(it, FMT_COMPILE("ARP\nhardware type {},\nprotocol type 0x{:04x}\n"), h.hardware_type, h.protocol_type);
    return;
  }
  if (h.is_gratuitous()) {
    fmt::format_to(it, FMT_COMPILE("ARP {}\n{} is at {}\n"),
                   h.is_announcement() ? "announcement" : h.is_request() ? "gratuitous request" : "gratuitous reply",
                   ip(h.sender_ip, a), mac(h.sender_mac, b));
  } else if (h.is_probe()) {
    fmt::format_to(it, FMT_COMPILE("ARP probe\nwho has {}?\n"), ip(h.target_ip, a));
  } else if (h.is_request()) {
    fmt::format_to(it, FMT_COMPILE("ARP request\nwho has {}?\ntell {}\n"), ip(h.target_ip, a), ip(h.sender_ip, b));
  } else if (h.is_reply()) {
    fmt::format_to(it, FMT_COMPILE("ARP reply\n{} is at {}\n"), ip(h.sender_ip, a), mac(h.sender_mac, b));
  } else {
    fmt::format_to(it, FMT_COMPILE("ARP operation {}\nfrom {}\nto {}\n"), h.op, ip(h.sender_ip, a), ip(h.target_ip, b));
  }
}

// Whether a packet is worth a line even without --annotate: something went wrong with it.
bool noteworthy(const PacketView& v) {
  return v.observation.conversation && (!v.observation.delivered || (v.packet.tcp && v.observation.tcp.analysis.any()));
}

// "#12      0.000123  " for a packet, "        -0.000045  " (wider, no number) for an application call: the
// time in seconds with microseconds, from integer nanoseconds.
void append_time(std::string& out, const char* hash, std::uint32_t index, std::int64_t ns) {
  const std::int64_t magnitude = ns < 0 ? -ns : ns;
  char whole[24];
  char* end = whole;
  if (ns < 0) *end++ = '-';
  end = std::to_chars(end, whole + sizeof whole, magnitude / 1'000'000'000).ptr;
  const std::string_view seconds(whole, static_cast<std::size_t>(end - whole));
  const std::int64_t micros = magnitude % 1'000'000'000 / 1'000;
  auto it = std::back_inserter(out);
  if (hash) fmt::format_to(it, FMT_COMPILE("#{:<4} {:>3}.{:06}  "), index, seconds, micros);
  else fmt::format_to(it, FMT_COMPILE("{:>9}.{:06}"), seconds, micros);
}

}  // namespace

void append_wrapped(std::string& out, std::string_view text, int indent, int width) {
  // Each line of the text is a paragraph of its own.
  if (const std::size_t newline = text.find('\n'); newline != std::string_view::npos) {
    append_wrapped(out, text.substr(0, newline), indent, width);
    append_wrapped(out, text.substr(newline + 1), indent, width);
    return;
  }
  const auto room = static_cast<std::size_t>(width - indent > 20 ? width - indent : 20);
  auto is_continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  while (!text.empty()) {
    out.append(static_cast<std::size_t>(indent), ' ');
    // The byte where `room` columns end: a column is a character, and UTF-8 continuation bytes take none.
    std::size_t limit = room;
    for (std::size_t counted = 0; limit < text.size();) {
      std::size_t extra = 0;
      for (std::size_t i = counted; i < limit; ++i) extra += is_continuation(text[i]);
      if (extra == 0) break;
      counted = limit;
      limit += extra;
    }
    std::size_t cut = text.size();
    if (limit < text.size()) {
      // End the line at its last space; a word longer than the line is cut where it must be, never inside a
      // UTF-8 character.
      const std::size_t space = text.rfind(' ', limit);
      cut = space != std::string_view::npos && space > 0 ? space : limit;
      while (cut > 0 && cut < text.size() && is_continuation(text[cut])) --cut;
      if (cut == 0) cut = limit;
    }
    out.append(text.substr(0, cut));
    out += '\n';
    text.remove_prefix(cut);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
}

void TextRenderer::packet(const PacketView& v, std::string& out) {
  // Without --annotate only the application calls are shown, and the packets that went wrong, in one line each.
  if (!options_.annotate && !noteworthy(v)) return;
  auto it = std::back_inserter(out);
  const auto& p = v.packet;
  const auto* c = v.observation.conversation;
  if (c && v.observation.first_of_conversation && options_.annotate) {
    if (options_.color) out += bold;
    append_wrapped(out,
                   fmt::format("{} conversation {}: client {}, server {}{}", p.tcp ? "TCP" : "UDP", c->stream,
                               lab::flow::to_string(c->at(Role::client)), lab::flow::to_string(c->at(Role::server)),
                               c->roles_guessed ? " (roles guessed: no SYN seen)" : ""),
                   0, options_.width);
    if (options_.color) {  // the reset goes before the line's end, so that the colour does not run on
      out.pop_back();
      out += reset;
      out += '\n';
    }
  }
  const bool colour = options_.color && coloring_rule(p, v.observation) != nullptr;
  if (colour) append_packet_colour(out, p, v.observation);
  const std::size_t line_start = out.size();  // after the colour code, which takes no column
  append_time(out, "#", v.index, v.time_ns);
  if (c && options_.show_stream) fmt::format_to(it, FMT_COMPILE("{} {}  "), p.tcp ? "tcp" : "udp", c->stream);
  if (c) {
    append_direction(out, v);
    extras_.clear();
    if (p.tcp) collect_tcp_numbers(extras_, v);
    else fmt::format_to(std::back_inserter(extras_), FMT_COMPILE(" UDP\nlen={}\n"), p.payload_len);
    collect_extras(extras_, v, options_.absolute);
    append_extras(out, line_start, extras_, options_.width);
  } else if (is_arp(p)) {
    // The frame's MACs when the link shows them (ARP is all about them), then what it asks or answers.
    extras_.clear();
    if (p.link.has_macs) {
      char text[18];
      out.append(text, lab::decode::format_mac(p.link.src_mac(), text));
      out += " → ";
      out.append(text, lab::decode::format_mac(p.link.dst_mac(), text));
      extras_ += ' ';  // two spaces before the protocol, as on a TCP line
    } else {
      out.pop_back();  // the time's two spaces stay two, with the one append_extras adds
    }
    collect_arp_pieces(extras_, p);
    append_extras(out, line_start, extras_, options_.width);
  } else {
    fmt::format_to(it, FMT_COMPILE("{} "), proto_name(p));
    append_address(out, p, true);
    out += " → ";
    append_address(out, p, false);
  }
  if (colour) out += reset;
  out += '\n';
  if (!options_.annotate) return;
  if (c && p.tcp) {
    const auto& o = v.observation.tcp;
    fmt::format_to(it, FMT_COMPILE("      client {} · server {}\n"), lab::flow::tcp_state_name(o.after[0]),
                   lab::flow::tcp_state_name(o.after[1]));
  }
  append_wrapped(out, v.note, note_indent, options_.width);
}

void TextRenderer::app(const AppView& v, std::string& out) {
  const auto& e = v.event;
  auto it = std::back_inserter(out);
  if (options_.color) out += cyan;
  const std::size_t line_start = out.size();
  append_time(out, nullptr, 0, v.time_ns);
  fmt::format_to(it, FMT_COMPILE("  ▸ {}  "), lab::flow::role_name(e.actor));
  using lab::timeline::AppCall;
  switch (e.call) {
    case AppCall::listen: fmt::format_to(it, FMT_COMPILE("listening on {}"), e.local); break;
    case AppCall::connect: fmt::format_to(it, FMT_COMPILE("connect() to {}"), e.peer); break;
    case AppCall::connected: {
      // The address goes under the call's words when the line has no room for it (two hosts' long addresses).
      const std::size_t text_column = columns(std::string_view(out).substr(line_start));
      out += "connect() returned,";
      const std::string address = fmt::format("local address {}", e.local);
      if (columns(std::string_view(out).substr(line_start)) + 1 + columns(address) > static_cast<std::size_t>(options_.width))
        out.append("\n").append(text_column, ' ');
      else
        out += ' ';
      out += address;
      break;
    }
    case AppCall::accept: fmt::format_to(it, FMT_COMPILE("accept() returned: client {}"), e.peer); break;
    case AppCall::send:
    case AppCall::recv:
    {
      if (e.tls) out += e.call == AppCall::send ? "SSL_write(\"" : "SSL_read(\"";
      else fmt::format_to(it, FMT_COMPILE("{}{}(\""), e.call == AppCall::send ? "send" : "recv", e.tcp ? "" : (e.call == AppCall::send ? "to" : "from"));
      // The preview takes what room the line has; "…" shows where it was cut, and the count says how much there was.
      const std::string count = lab::annotate::count_words(e.bytes, "byte", "bytes");
      const std::size_t used = columns(std::string_view(out).substr(line_start));
      const std::size_t room = static_cast<std::size_t>(options_.width) > used + count.size() + 3
                                   ? static_cast<std::size_t>(options_.width) - used - count.size() - 3 : 8;
      extras_.clear();
      append_escaped_bytes(extras_, e.data);
      if (e.data.size() < e.bytes && extras_.size() >= 3 && std::string_view(extras_).substr(extras_.size() - 3) != "…")
        extras_ += "…";  // the call moved more than the event kept
      if (columns(extras_) > room) {
        std::size_t cut = 0;
        for (std::size_t shown = 0; cut < extras_.size() && shown + 1 < room; ++cut)
          shown += (static_cast<unsigned char>(extras_[cut]) & 0xC0) != 0x80;
        while (cut < extras_.size() && (static_cast<unsigned char>(extras_[cut]) & 0xC0) == 0x80) ++cut;
        extras_.resize(cut);
        extras_ += "…";
      }
      out += extras_;
      fmt::format_to(it, FMT_COMPILE("\") {}"), count);
      break;
    }
    case AppCall::eof: out += e.tls ? "SSL_read(): end of the TLS stream" : "recv() returned 0: end of file"; break;
    case AppCall::shutdown: out += "shutdown(SHUT_WR)"; break;
    case AppCall::close: out += "close()"; break;
    case AppCall::timeout: fmt::format_to(it, FMT_COMPILE("timeout: {}"), e.detail); break;
    case AppCall::error: fmt::format_to(it, FMT_COMPILE("error: {}"), e.detail); break;
  }
  if (options_.color) out += reset;
  out += '\n';
  if (options_.annotate && !v.note.empty()) append_wrapped(out, v.note, 20, options_.width);
}

void TextRenderer::append_conversation(const lab::flow::Conversation& conversation, std::string& out) const {
  using lab::annotate::count_words;
  using lab::annotate::duration_words;
  const auto* c = &conversation;
  // Each fact on its own line, wrapped to the width and indented under its conversation.
  auto line = [&](const std::string& text) { append_wrapped(out, text, 4, options_.width); };
  const ConversationFacts f = facts_of(*c);
  const bool tcp = c->key.protocol == lab::decode::ip_protocol::tcp;
  append_wrapped(out,
                 fmt::format("{} conversation {}: client {} ↔ server {}", tcp ? "TCP" : "UDP", c->stream,
                             lab::flow::to_string(c->at(Role::client)), lab::flow::to_string(c->at(Role::server))),
                 2, options_.width);
  if (tcp) {
    line(fmt::format("{}: {} handshake, {} data (with their ACKs), {} teardown, {} reset", count_words(f.packets, "packet", "packets"),
                     c->packets_in_phase[0], c->packets_in_phase[1], c->packets_in_phase[2], c->packets_in_phase[3]));
  } else {
    line(fmt::format("{} (client {}, server {}); no handshake, no acknowledgements, no teardown",
                     count_words(f.packets, "datagram", "datagrams"), c->sent[0].packets, c->sent[1].packets));
  }
  const double share =
      f.wire_bytes ? 100.0 * static_cast<double>(f.payload_bytes) / static_cast<double>(f.wire_bytes) : 0.0;
  line(fmt::format("{} of application data (client {}, server {}) in {} on the wire: {:.0f}% data, the rest headers{}",
                   count_words(f.payload_bytes, "byte", "bytes"), c->sent[0].payload_bytes, c->sent[1].payload_bytes,
                   count_words(f.wire_bytes, "byte", "bytes"), share,
                   f.resent_bytes == 0 ? std::string()
                                       : fmt::format(" and {} sent again", count_words(f.resent_bytes, "byte", "bytes"))));
  if (tcp && f.syn_to_syn_ack_ns >= 0) {
    std::string handshake = fmt::format("handshake: first SYN to first SYN-ACK {}", duration_words(f.syn_to_syn_ack_ns));
    if (f.initial_rtt_ns >= 0)
      handshake += fmt::format(", latest SYN to final ACK {} (the initial RTT)", duration_words(f.initial_rtt_ns));
    line(handshake);
  }
  if (c->trouble.dropped_by_lab > 0)
    line(fmt::format("dropped by the lab's wire: {}", count_words(c->trouble.dropped_by_lab, "packet", "packets")));
  if (!tcp) return;
  if (const auto& t = c->trouble; t.retransmissions + t.duplicate_acks + t.out_of_order + t.lost_segments + t.acked_unseen + t.zero_windows > 0) {
    std::string trouble = fmt::format("as Wireshark would flag it: {}", count_words(t.retransmissions, "retransmission", "retransmissions"));
    if (t.fast_retransmissions + t.spurious_retransmissions > 0)
      trouble += fmt::format(" ({} fast, {} spurious)", t.fast_retransmissions, t.spurious_retransmissions);
    trouble += fmt::format(", {}, {} out of order, {} not captured, {} ACKed unseen, {}",
                           count_words(t.duplicate_acks, "duplicate ACK", "duplicate ACKs"), t.out_of_order, t.lost_segments,
                           t.acked_unseen, count_words(t.zero_windows, "zero window", "zero windows"));
    line(trouble);
  }
  switch (f.ending) {
    case Ending::closed:
      if (c->side(Role::client).state == TcpState::time_wait && c->side(Role::server).state == TcpState::time_wait) {
        line("ended: both sides closed at once (their FINs crossed), and both are left in TIME-WAIT");
        break;
      }
      line(fmt::format("ended: the {} closed first (its FIN came first), then the {}; the {} is left in {}",
                       lab::flow::role_name(f.closed_first), lab::flow::role_name(lab::flow::other(f.closed_first)),
                       lab::flow::role_name(f.closed_first), lab::flow::tcp_state_name(c->side(f.closed_first).state)));
      break;
    case Ending::reset: line("ended: reset (RST), with no orderly goodbye"); break;
    case Ending::open:
      line(fmt::format("still open when the capture ended (client {}, server {})",
                       lab::flow::tcp_state_name(c->side(Role::client).state),
                       lab::flow::tcp_state_name(c->side(Role::server).state)));
      break;
  }
}

// The capture's ARP traffic, and the requests no reply followed in it: said as what this capture shows, since a
// capture made on a third host sees the broadcast requests but not the replies, which go to the asker alone.
void TextRenderer::append_arp_summary(const lab::flow::ArpSummary& s, std::string& out) const {
  using lab::annotate::count_words;
  auto line = [&](const std::string& text, int indent) { append_wrapped(out, text, indent, options_.width); };
  std::string counts = fmt::format("ARP: {}: {}, {}", count_words(s.packets, "packet", "packets"),
                                   count_words(s.requests, "request", "requests"), count_words(s.replies, "reply", "replies"));
  if (s.probes) counts += ", " + count_words(s.probes, "probe", "probes");
  if (s.gratuitous) counts += fmt::format(", {} gratuitous", s.gratuitous);
  if (s.other) counts += fmt::format(", {} other (another operation or kind of ARP, or cut short)", s.other);
  line(counts, 2);
  if (!s.unanswered.empty()) {
    // One question per entry, with the packets that asked it: "who has 10.0.0.9? tell 10.0.0.1 (#5, #6)".
    constexpr std::size_t most_listed = 10;
    std::string list;
    std::size_t listed = 0, questions = 0;
    std::vector<bool> done(s.unanswered.size(), false);
    for (std::size_t i = 0; i < s.unanswered.size(); ++i) {
      if (done[i]) continue;
      const auto& r = s.unanswered[i];
      ++questions;
      if (listed == most_listed) continue;
      ++listed;
      if (!list.empty()) list += "; ";
      list += fmt::format("who has {}? tell {} (", lab::decode::to_string(r.wanted_ip), lab::decode::to_string(r.asker_ip));
      for (std::size_t j = i; j < s.unanswered.size(); ++j) {
        const auto& same = s.unanswered[j];
        if (done[j] || same.wanted_ip != r.wanted_ip || same.asker_ip != r.asker_ip || same.asker_mac != r.asker_mac ||
            same.vlan != r.vlan)
          continue;
        done[j] = true;
        if (list.back() != '(') list += ", ";
        list += fmt::format("#{}", same.packet);
      }
      list += ')';
    }
    if (questions > listed) list += fmt::format("; and {} more (--format json lists them all)", questions - listed);
    line(fmt::format("no reply in this capture to: {}. That does not prove none was sent: a reply normally goes to "
                     "the asker alone, so a capture made on another host can show a broadcast request and not its reply.",
                     list),
         4);
  }
  if (s.forgotten)
    line(fmt::format("{} let go unanswered, to keep lab's memory bounded: whether a reply came later is not known.",
                     count_words(s.forgotten, "older request was", "older requests were")),
         4);
}

void TextRenderer::conversation_end(const lab::flow::Conversation& c, std::string& out) {
  if (!options_.annotate) return;
  out += "── conversation over:\n";
  append_conversation(c, out);
}

void TextRenderer::summary(const SummaryView& v, std::string& out) {
  using lab::annotate::count_words;
  auto it = std::back_inserter(out);
  if (!options_.annotate) {
    // ARP asks for an address (before the conversation, and at times during it); its packets are not the
    // conversation's.
    const std::uint64_t arp = v.arp ? v.arp->summary().packets : 0;
    if (arp == 0) {
      fmt::format_to(it, FMT_COMPILE("\n({} carried this conversation: add --annotate to see each one explained.)\n"),
                     count_words(v.packets, "packet", "packets"));
    } else {
      out += '\n';
      append_wrapped(out,
                     fmt::format("({} carried this conversation; {} more {} ARP: add --annotate to see each "
                                 "one explained.)\n",
                                 count_words(v.packets - arp, "packet", "packets"), arp, arp == 1 ? "was" : "were"),
                     0, options_.width);
    }
    // The lab's closing lines (what the wire did, a rule that never matched, the scenario's outcome) are said
    // either way.
    if (!v.closing_tip.empty()) append_wrapped(out, v.closing_tip, 0, options_.width);
    return;
  }
  out += '\n';
  if (options_.color) out += bold;
  fmt::format_to(it, FMT_COMPILE("Summary: {} captured"), count_words(v.packets, "packet", "packets"));
  if (v.kernel_dropped > 0) fmt::format_to(it, FMT_COMPILE(" ({} dropped by the kernel before capture could read them)"), v.kernel_dropped);
  if (options_.color) out += reset;
  out += '\n';
  if (v.conversations_ended > 0)
    fmt::format_to(it, FMT_COMPILE("  {} ended earlier and were summarised where they ended.\n"),
                   count_words(v.conversations_ended, "conversation", "conversations"));
  // A capture with thousands of conversations gets the first ones in full and a count of the rest.
  constexpr std::size_t most_listed = 20;
  for (std::size_t i = 0; i < v.conversations.size() && i < most_listed; ++i) append_conversation(*v.conversations[i], out);
  if (v.conversations.size() > most_listed)
    fmt::format_to(it, FMT_COMPILE("  ... and {} more (--format json lists them all)\n"), v.conversations.size() - most_listed);
  if (v.arp && v.arp->any()) append_arp_summary(v.arp->summary(), out);
  if (!v.closing_tip.empty()) {
    out += '\n';
    append_wrapped(out, v.closing_tip, 0, options_.width);
  }
}

}  // namespace lab::render
