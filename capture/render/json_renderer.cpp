// Written with fmt and a small escaper rather than a JSON DOM: one line per packet must not allocate
// (the annotate benchmark streams a million packets).
#include "capture/render/json_renderer.hpp"

#include <fmt/format.h>

#include <iterator>

#include "capture/flow/flow_key.hpp"
#include "capture/render/escape.hpp"
#include "capture/render/summary.hpp"
#include "capture/render/tcp_words.hpp"

namespace lab::render {
namespace {

using lab::flow::Role;

void key(std::string& out, const char* name) {
  out += ",\"";
  out += name;
  out += "\":";
}

void text_value(std::string& out, std::string_view text) {
  out += '"';
  append_json_text(out, text);
  out += '"';
}

void seconds(std::string& out, double s) { fmt::format_to(std::back_inserter(out), "{:.9f}", s); }

void tcp_fields(std::string& out, const PacketView& v) {
  const auto& h = *v.packet.tcp;
  const auto& o = v.observation.tcp;
  auto it = std::back_inserter(out);
  key(out, "flags");
  out += '[';
  bool first = true;
  for_each_flag(h.flags, [&](const char* name) {
    if (!first) out += ',';
    first = false;
    fmt::format_to(it, "\"{}\"", name);
  });
  out += ']';
  fmt::format_to(it, ",\"seq\":{}", o.rel_seq);
  if (h.has(lab::decode::tcp_flag::ack)) fmt::format_to(it, ",\"ack\":{}", o.rel_ack);
  else out += ",\"ack\":null";
  fmt::format_to(it, ",\"raw_seq\":{}", h.seq);
  if (h.has(lab::decode::tcp_flag::ack)) fmt::format_to(it, ",\"raw_ack\":{}", h.ack);
  else out += ",\"raw_ack\":null";
  fmt::format_to(it, ",\"window\":{},\"next_seq\":{}", h.window, o.rel_next_seq);
  fmt::format_to(it, ",\"phase\":\"{}\"", lab::flow::phase_name(v.observation.phase));
  fmt::format_to(it, ",\"states\":{{\"client\":\"{}\",\"server\":\"{}\"}}", lab::flow::tcp_state_name(o.after[0]),
                 lab::flow::tcp_state_name(o.after[1]));
  out += ",\"analysis\":[]";
}

}  // namespace

void JsonRenderer::packet(const PacketView& v, std::string& out) {
  auto it = std::back_inserter(out);
  const auto& p = v.packet;
  const auto& o = v.observation;
  fmt::format_to(it, "{{\"type\":\"packet\",\"index\":{}", v.index);
  key(out, "time");
  seconds(out, v.time);
  fmt::format_to(it, ",\"proto\":\"{}\"", proto_name(p));
  key(out, "src");
  out += '"';
  append_address(out, p, true);
  out += '"';
  key(out, "dst");
  out += '"';
  append_address(out, p, false);
  out += '"';
  if (o.conversation) {
    fmt::format_to(it, ",\"stream\":{},\"from\":\"{}\",\"to\":\"{}\"", o.conversation->stream, lab::flow::role_name(o.from),
                   lab::flow::role_name(lab::flow::other(o.from)));
  } else {
    out += ",\"stream\":null,\"from\":null,\"to\":null";
  }
  fmt::format_to(it, ",\"len\":{},\"wire_len\":{}", p.payload_len, v.frame.wire_len);
  if (p.tcp && o.conversation) tcp_fields(out, v);
  if (p.udp) fmt::format_to(it, ",\"udp_length\":{},\"checksum\":{}", p.udp->length, p.udp->checksum);
  if (p.icmp) {
    fmt::format_to(it, ",\"icmp_type\":{},\"icmp_code\":{}", p.icmp->type, p.icmp->code);
    if (o.icmp.about)
      fmt::format_to(it, ",\"about\":{{\"stream\":{},\"proto\":\"{}\",\"packet\":{}}}", o.icmp.about->stream,
                     o.icmp.about->key.protocol == lab::decode::ip_protocol::tcp ? "tcp" : "udp", o.icmp.about_packet);
  }
  const bool fragment = (p.ipv4 && p.ipv4->is_fragment()) || (p.ipv6 && p.ipv6->is_fragment);
  if (fragment) out += ",\"fragment\":true";
  if (p.error) {
    fmt::format_to(it, ",\"error\":{{\"layer\":\"{}\",\"kind\":\"{}\",\"offset\":{},\"needed\":{},\"present\":{},\"what\":",
                   lab::decode::layer_name(p.error->layer), lab::decode::error_kind_name(p.error->kind), p.error->offset,
                   p.error->needed, p.error->present);
    text_value(out, p.error->what);
    out += '}';
  }
  key(out, "note");
  text_value(out, v.note);
  out += "}\n";
}

void JsonRenderer::app(const AppView& v, std::string& out) {
  const auto& e = v.event;
  auto it = std::back_inserter(out);
  out += "{\"type\":\"app\"";
  key(out, "time");
  seconds(out, v.time);
  fmt::format_to(it, ",\"actor\":\"{}\",\"event\":\"{}\",\"proto\":\"{}\"", lab::flow::role_name(e.actor),
                 lab::timeline::app_call_name(e.call), e.tcp ? "tcp" : "udp");
  key(out, "local");
  text_value(out, e.local);
  key(out, "peer");
  text_value(out, e.peer);
  fmt::format_to(it, ",\"bytes\":{}", e.bytes);
  key(out, "data");
  out += '"';
  append_json_bytes(out, e.data);
  out += '"';
  if (!e.kernel_state.empty()) {
    key(out, "kernel_state");
    text_value(out, e.kernel_state);
    key(out, "capture_state");
    if (v.conversation) text_value(out, lab::flow::tcp_state_name(v.conversation->side(e.actor).state));
    else out += "null";
  }
  if (!e.detail.empty()) {
    key(out, "detail");
    text_value(out, e.detail);
  }
  key(out, "note");
  text_value(out, v.note);
  out += "}\n";
}

namespace {

// One conversation's facts, as in the summary's list and the "conversation" lines.
void append_conversation(std::string& out, const lab::flow::Conversation& conversation) {
  const auto* c = &conversation;
  auto it = std::back_inserter(out);
  const ConversationFacts f = facts_of(*c);
  const bool tcp = c->key.protocol == lab::decode::ip_protocol::tcp;
  fmt::format_to(it, "{{\"stream\":{},\"proto\":\"{}\",\"client\":\"{}\",\"server\":\"{}\",\"roles_guessed\":{}",
                 c->stream, tcp ? "tcp" : "udp", lab::flow::to_string(c->at(Role::client)),
                 lab::flow::to_string(c->at(Role::server)), c->roles_guessed);
  fmt::format_to(it, ",\"first_packet\":{},\"last_packet\":{}", c->first_packet_index, c->last_packet_index);
  fmt::format_to(it, ",\"packets\":{},\"payload_bytes\":{},\"wire_bytes\":{}", f.packets, f.payload_bytes, f.wire_bytes);
  fmt::format_to(it, ",\"sent\":{{\"client\":{{\"packets\":{},\"payload_bytes\":{}}},\"server\":{{\"packets\":{},\"payload_bytes\":{}}}}}",
                 c->sent[0].packets, c->sent[0].payload_bytes, c->sent[1].packets, c->sent[1].payload_bytes);
  if (tcp) {
    fmt::format_to(it, ",\"packets_by_phase\":{{\"handshake\":{},\"data\":{},\"teardown\":{},\"reset\":{}}}",
                   c->packets_in_phase[0], c->packets_in_phase[1], c->packets_in_phase[2], c->packets_in_phase[3]);
    out += ",\"syn_to_syn_ack\":";
    if (f.syn_to_syn_ack_ns >= 0) seconds(out, static_cast<double>(f.syn_to_syn_ack_ns) / 1e9);
    else out += "null";
    out += ",\"initial_rtt\":";
    if (f.initial_rtt_ns >= 0) seconds(out, static_cast<double>(f.initial_rtt_ns) / 1e9);
    else out += "null";
    fmt::format_to(it, ",\"ended\":\"{}\"", ending_name(f.ending));
    if (f.any_fin) fmt::format_to(it, ",\"closed_first\":\"{}\"", lab::flow::role_name(f.closed_first));
    fmt::format_to(it, ",\"states\":{{\"client\":\"{}\",\"server\":\"{}\"}}",
                   lab::flow::tcp_state_name(c->side(Role::client).state),
                   lab::flow::tcp_state_name(c->side(Role::server).state));
  }
  out += '}';
}

}  // namespace

void JsonRenderer::conversation_end(const lab::flow::Conversation& c, std::string& out) {
  out += "{\"type\":\"conversation\",\"conversation\":";
  append_conversation(out, c);
  out += "}\n";
}

void JsonRenderer::summary(const SummaryView& v, std::string& out) {
  fmt::format_to(std::back_inserter(out),
                 "{{\"type\":\"summary\",\"packets\":{},\"kernel_dropped\":{},\"conversations_ended_earlier\":{},\"conversations\":[",
                 v.packets, v.kernel_dropped, v.conversations_ended);
  bool first = true;
  for (const auto* c : v.conversations) {
    if (!first) out += ',';
    first = false;
    append_conversation(out, *c);
  }
  out += ']';
  if (!v.closing_tip.empty()) {
    key(out, "tip");
    text_value(out, v.closing_tip);
  }
  out += "}\n";
}

}  // namespace lab::render
