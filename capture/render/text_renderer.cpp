#include "capture/render/text_renderer.hpp"

#include <fmt/format.h>

#include <iterator>

#include "capture/annotate/words.hpp"
#include "capture/flow/flow_key.hpp"
#include "capture/render/escape.hpp"
#include "capture/render/summary.hpp"
#include "capture/render/tcp_words.hpp"

namespace lab::render {
namespace {

using lab::flow::Role;
namespace flag = lab::decode::tcp_flag;

constexpr const char* grey = "\x1b[90m";
constexpr const char* red = "\x1b[31m";
constexpr const char* cyan = "\x1b[36m";
constexpr const char* bold = "\x1b[1m";
constexpr const char* reset = "\x1b[0m";
constexpr int note_indent = 6;

const char* packet_colour(const lab::decode::DecodedPacket& p) {
  if (!p.tcp) return nullptr;
  if (p.tcp->has(flag::rst)) return red;
  if (p.tcp->has(flag::syn) || p.tcp->has(flag::fin)) return grey;
  return nullptr;
}

// "client:48258 → server:65432" — the client always on the left, the arrow shows the direction.
void append_direction(std::string& out, const PacketView& v) {
  const auto& c = *v.observation.conversation;
  const bool from_client = v.observation.from == Role::client;
  fmt::format_to(std::back_inserter(out), "client:{} {} server:{}", c.at(Role::client).port, from_client ? "→" : "←",
                 c.at(Role::server).port);
}

void append_tcp_numbers(std::string& out, const PacketView& v, bool absolute) {
  const auto& h = *v.packet.tcp;
  const auto& o = v.observation.tcp;
  auto it = std::back_inserter(out);
  out += '[';
  bool first = true;
  for_each_flag(h.flags, [&](const char* name) {
    if (!first) out += ',';
    first = false;
    out += name;
  });
  out += ']';
  fmt::format_to(it, " seq={}", o.rel_seq);
  if (h.has(flag::ack)) fmt::format_to(it, " ack={}", o.rel_ack);
  fmt::format_to(it, " len={} win={}", v.packet.payload_len, h.window);
  // After the handshake the window field counts in units of 2^scale when both sides offered scaling.
  const auto& c = *v.observation.conversation;
  const auto& own_scale = c.side(v.observation.from).window_scale;
  const auto& other_scale = c.side(lab::flow::other(v.observation.from)).window_scale;
  if (!h.has(flag::syn) && own_scale && other_scale && *own_scale > 0)
    fmt::format_to(it, "×{}", 1u << (*own_scale > 14 ? 14 : *own_scale));
  if (absolute) {
    fmt::format_to(it, " (raw seq={}", h.seq);
    if (h.has(flag::ack)) fmt::format_to(it, " ack={}", h.ack);
    out += ')';
  }
}

}  // namespace

void append_wrapped(std::string& out, std::string_view text, int indent, int width) {
  // Each line of the text is a paragraph of its own.
  if (const std::size_t newline = text.find('\n'); newline != std::string_view::npos) {
    append_wrapped(out, text.substr(0, newline), indent, width);
    append_wrapped(out, text.substr(newline + 1), indent, width);
    return;
  }
  const int room = width - indent > 20 ? width - indent : 20;
  while (!text.empty()) {
    out.append(static_cast<std::size_t>(indent), ' ');
    // Walk at most one line's worth of characters, remembering the last space: the line ends there.
    std::size_t pos = 0, last_space = std::string_view::npos;
    int col = 0;
    while (pos < text.size() && col <= room) {
      if (text[pos] == ' ') last_space = pos;
      col += (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80;
      ++pos;
    }
    std::size_t cut = text.size();
    if (pos < text.size() || col > room) {
      // A word longer than the line is cut where it must be, never inside a UTF-8 character.
      cut = last_space != std::string_view::npos && last_space > 0 ? last_space : pos - 1;
      while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
      if (cut == 0) cut = pos;
    }
    out.append(text.substr(0, cut));
    out += '\n';
    text.remove_prefix(cut);
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  }
}

void TextRenderer::packet(const PacketView& v, std::string& out) {
  if (!options_.annotate) return;
  auto it = std::back_inserter(out);
  const auto& p = v.packet;
  const auto* c = v.observation.conversation;
  if (c && v.observation.first_of_conversation) {
    fmt::format_to(it, "{}{} conversation {}: client {}, server {}{}{}\n", options_.color ? bold : "",
                   p.tcp ? "TCP" : "UDP", c->stream, lab::flow::to_string(c->at(Role::client)),
                   lab::flow::to_string(c->at(Role::server)), c->roles_guessed ? " (roles guessed: no SYN seen)" : "",
                   options_.color ? reset : "");
  }
  const char* colour = options_.color ? packet_colour(p) : nullptr;
  if (colour) out += colour;
  fmt::format_to(it, "#{:<4} {:>10.6f}  ", v.index, static_cast<double>(v.time_ns) / 1e9);
  if (c && options_.show_stream) fmt::format_to(it, "{} {}  ", p.tcp ? "tcp" : "udp", c->stream);
  if (c) {
    append_direction(out, v);
    out += p.tcp ? "  TCP " : "  UDP ";
    if (p.tcp) append_tcp_numbers(out, v, options_.absolute);
    else fmt::format_to(it, "len={}", p.payload_len);
  } else {
    fmt::format_to(it, "{} ", proto_name(p));
    append_address(out, p, true);
    out += " → ";
    append_address(out, p, false);
  }
  if (colour) out += reset;
  out += '\n';
  if (c && p.tcp) {
    const auto& o = v.observation.tcp;
    fmt::format_to(it, "{:{}}client {} · server {}\n", "", note_indent, lab::flow::tcp_state_name(o.after[0]),
                   lab::flow::tcp_state_name(o.after[1]));
  }
  append_wrapped(out, v.note, note_indent, options_.width);
}

void TextRenderer::app(const AppView& v, std::string& out) {
  const auto& e = v.event;
  auto it = std::back_inserter(out);
  if (options_.color) out += cyan;
  fmt::format_to(it, "{:>16.6f}  ▸ {}  ", static_cast<double>(v.time_ns) / 1e9, lab::flow::role_name(e.actor));
  using lab::timeline::AppCall;
  switch (e.call) {
    case AppCall::listen: fmt::format_to(it, "listening on {}", e.local); break;
    case AppCall::connect: fmt::format_to(it, "connect() to {}", e.peer); break;
    case AppCall::connected: fmt::format_to(it, "connect() returned, local address {}", e.local); break;
    case AppCall::accept: fmt::format_to(it, "accept() returned: client {}", e.peer); break;
    case AppCall::send:
    case AppCall::recv:
      fmt::format_to(it, "{}{}(\"", e.call == AppCall::send ? "send" : "recv", e.tcp ? "" : (e.call == AppCall::send ? "to" : "from"));
      append_escaped_bytes(out, e.data);
      fmt::format_to(it, "\") {}", lab::annotate::count_words(e.bytes, "byte", "bytes"));
      break;
    case AppCall::eof: out += "recv() returned 0: end of file"; break;
    case AppCall::close: out += "close()"; break;
    case AppCall::timeout: fmt::format_to(it, "timeout: {}", e.detail); break;
    case AppCall::error: fmt::format_to(it, "error: {}", e.detail); break;
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
    line(fmt::format("{}: {} handshake, {} data, {} teardown, {} reset", count_words(f.packets, "packet", "packets"),
                     c->packets_in_phase[0], c->packets_in_phase[1], c->packets_in_phase[2], c->packets_in_phase[3]));
  } else {
    line(fmt::format("{} (client {}, server {}); no handshake, no acknowledgements, no teardown",
                     count_words(f.packets, "datagram", "datagrams"), c->sent[0].packets, c->sent[1].packets));
  }
  const double share =
      f.wire_bytes ? 100.0 * static_cast<double>(f.payload_bytes) / static_cast<double>(f.wire_bytes) : 0.0;
  line(fmt::format("{} of application data (client {}, server {}) in {} on the wire: {:.0f}% data, the rest headers",
                   count_words(f.payload_bytes, "byte", "bytes"), c->sent[0].payload_bytes, c->sent[1].payload_bytes,
                   count_words(f.wire_bytes, "byte", "bytes"), share));
  if (tcp && f.syn_to_syn_ack_ns >= 0) {
    std::string handshake = fmt::format("handshake: SYN to SYN-ACK {}", duration_words(f.syn_to_syn_ack_ns));
    if (f.initial_rtt_ns >= 0)
      handshake += fmt::format(", SYN to final ACK {} (the initial RTT)", duration_words(f.initial_rtt_ns));
    line(handshake);
  }
  if (!tcp) return;
  switch (f.ending) {
    case Ending::closed:
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

void TextRenderer::conversation_end(const lab::flow::Conversation& c, std::string& out) {
  if (!options_.annotate) return;
  out += "── conversation over:\n";
  append_conversation(c, out);
}

void TextRenderer::summary(const SummaryView& v, std::string& out) {
  using lab::annotate::count_words;
  auto it = std::back_inserter(out);
  if (!options_.annotate) {
    fmt::format_to(it, "\n({} carried this conversation: add --annotate to see each one explained.)\n",
                   count_words(v.packets, "packet", "packets"));
    return;
  }
  out += '\n';
  if (options_.color) out += bold;
  fmt::format_to(it, "Summary: {} captured", count_words(v.packets, "packet", "packets"));
  if (v.kernel_dropped > 0) fmt::format_to(it, " ({} dropped by the kernel before capture could read them)", v.kernel_dropped);
  if (options_.color) out += reset;
  out += '\n';
  if (v.conversations_ended > 0)
    fmt::format_to(it, "  {} ended earlier and were summarised where they ended.\n",
                   count_words(v.conversations_ended, "conversation", "conversations"));
  // A capture with thousands of conversations gets the first ones in full and a count of the rest.
  constexpr std::size_t most_listed = 20;
  for (std::size_t i = 0; i < v.conversations.size() && i < most_listed; ++i) append_conversation(*v.conversations[i], out);
  if (v.conversations.size() > most_listed)
    fmt::format_to(it, "  ... and {} more (--format json lists them all)\n", v.conversations.size() - most_listed);
  if (!v.closing_tip.empty()) {
    out += '\n';
    append_wrapped(out, v.closing_tip, 0, options_.width);
  }
}

}  // namespace lab::render
