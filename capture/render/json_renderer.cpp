// JSON lines written by hand, not through a JSON DOM or fmt: a million packets stream through here, and each
// line must be built by appending into one reused buffer (see bench/README.md for the measurements).
#include "capture/render/json_renderer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

#include "capture/decode/tls.hpp"
#include "capture/flow/flow_key.hpp"
#include "capture/render/coloring_rules.hpp"
#include "capture/render/escape.hpp"
#include "capture/render/summary.hpp"
#include "capture/render/tcp_words.hpp"

namespace lab::render {
namespace {

using lab::flow::Role;
namespace flag = lab::decode::tcp_flag;

// ,"name": — the names are literals, so their lengths are known at compile time.
template <std::size_t N>
void key(std::string& out, const char (&name)[N]) {
  out.append(",\"", 2);
  out.append(name, N - 1);
  out.append("\":", 2);
}

void number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

template <std::size_t N>
void field(std::string& out, const char (&name)[N], std::uint64_t value) {
  key(out, name);
  number(out, value);
}

// A word we chose ourselves (a flag, a state, a role): no escaping needed.
template <std::size_t N>
void word(std::string& out, const char (&name)[N], std::string_view value) {
  key(out, name);
  out += '"';
  out.append(value);
  out += '"';
}

void text_value(std::string& out, std::string_view text) {
  out += '"';
  append_json_text(out, text);
  out += '"';
}

// "02:00:00:00:00:01", or null where the link layer shows no MAC.
template <std::size_t N>
void mac_field(std::string& out, const char (&name)[N], const lab::decode::MacAddress* mac) {
  key(out, name);
  if (!mac) {
    out += "null";
    return;
  }
  char text[18];
  out += '"';
  out.append(text, lab::decode::format_mac(*mac, text));
  out += '"';
}

template <std::size_t N>
void ip_field(std::string& out, const char (&name)[N], const lab::decode::IpAddress* ip) {
  key(out, name);
  if (!ip) {
    out += "null";
    return;
  }
  char text[46];
  out += '"';
  out.append(text, lab::decode::format_ip(*ip, text));
  out += '"';
}

// A packet number, or null for 0 (none).
template <std::size_t N>
void packet_or_null(std::string& out, const char (&name)[N], std::uint64_t value) {
  key(out, name);
  if (value != 0) number(out, value);
  else out += "null";
}

// Nanoseconds as seconds with nine decimals ("-0.000052000"), exactly, without floating point.
void nanoseconds_as_seconds(std::string& out, std::int64_t ns) {
  if (ns < 0) {
    out += '-';
    ns = -ns;
  }
  number(out, static_cast<std::uint64_t>(ns / 1'000'000'000));
  char fraction[10] = {'.', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
  std::int64_t rest = ns % 1'000'000'000;
  for (int i = 9; i >= 1; --i, rest /= 10) fraction[i] = static_cast<char>('0' + rest % 10);
  out.append(fraction, sizeof fraction);
}

void seconds(std::string& out, double s) { fmt::format_to(std::back_inserter(out), "{:.9f}", s); }

void analysis_fields(std::string& out, const lab::flow::TcpObservation& o);

void tcp_fields(std::string& out, const PacketView& v) {
  const auto& h = *v.packet.tcp;
  const auto& o = v.observation.tcp;
  const bool ack = h.has(flag::ack);
  key(out, "flags");
  out += '[';
  bool first = true;
  for_each_flag(h.flags, [&](const char* name) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += name;
    out += '"';
  });
  out += ']';
  field(out, "seq", o.rel_seq);
  key(out, "ack");
  if (ack) number(out, o.rel_ack);
  else out += "null";
  field(out, "raw_seq", h.seq);
  key(out, "raw_ack");
  if (ack) number(out, h.ack);
  else out += "null";
  field(out, "window", h.window);
  // The window in bytes: the field times 2^shift once scaling is in use (RFC 7323), as is in a SYN or without
  // scaling; null where the capture cannot know the shift (it missed the SYN).
  key(out, "window_bytes");
  {
    const std::int8_t shift = v.observation.conversation->side(v.observation.from).analysis.win_scale;
    if (h.has(flag::syn) || shift == -2) number(out, h.window);
    else if (shift >= 0) number(out, static_cast<std::uint64_t>(h.window) << shift);
    else out += "null";
  }
  field(out, "next_seq", o.rel_next_seq);
  word(out, "phase", lab::flow::phase_name(v.observation.phase));
  out += ",\"states\":{\"client\":\"";
  out += lab::flow::tcp_state_name(o.after[0]);
  out += "\",\"server\":\"";
  out += lab::flow::tcp_state_name(o.after[1]);
  out += "\"}";
  // The kernels' own word, read by the lab's wire (the lab's client host is the connection's client); null where a
  // kernel was not read at this packet, and for packets that did not pass the lab's wire.
  key(out, "kernel_states");
  if (v.frame.wire.id == 0) {
    out += "null";
  } else {
    auto state = [&](lab::decode::KernelTcpState s) {
      const auto named = lab::flow::from_kernel(s);
      if (named) text_value(out, lab::flow::tcp_state_name(*named));
      else out += "null";
    };
    out += "{\"client\":";
    state(v.frame.wire.kernel.client);
    out += ",\"server\":";
    state(v.frame.wire.kernel.server);
    out += '}';
  }
  // With each state the kernel read, its TCP_INFO figures (null where the socket had none: a request socket, a
  // socket in TIME-WAIT or gone, or no reading).
  key(out, "kernel_info");
  if (v.frame.wire.id == 0) {
    out += "null";
  } else {
    auto figures = [&](const lab::decode::KernelTcpFigures& f) {
      if (!f.known) {
        out += "null";
        return;
      }
      out += "{\"rtt_us\":";
      number(out, f.rtt_us);
      field(out, "rttvar_us", f.rttvar_us);
      field(out, "rto_us", f.rto_us);
      field(out, "cwnd", f.cwnd);
      field(out, "total_retrans", f.total_retrans);
      out += '}';
    };
    out += "{\"client\":";
    figures(v.frame.wire.kernel.client_figures);
    out += ",\"server\":";
    figures(v.frame.wire.kernel.server_figures);
    out += '}';
  }
  // A FIN's effect on its receiver: held aside beyond a gap, or taking effect (with this packet, or with the one that
  // filled the gap in front of it).
  out += o.fin_held ? ",\"fin_held\":true" : ",\"fin_held\":false";
  out += o.capture_corrected ? ",\"capture_corrected\":true" : ",\"capture_corrected\":false";
  key(out, "answers_syn");
  if (o.answers_syn != 0) number(out, o.answers_syn);
  else out += "null";
  key(out, "receiver_sent_before_arrival");
  if (o.receiver_sent_before_arrival != 0) number(out, o.receiver_sent_before_arrival);
  else out += "null";
  key(out, "fin_takes_effect");
  if (o.fin_arrives) number(out, o.fin_from_packet);
  else out += "null";
  analysis_fields(out, o);
}

// `analysis` and the packets it refers to. Most packets have none: one literal then, since every packet of a long
// capture passes here.
void analysis_fields(std::string& out, const lab::flow::TcpObservation& o) {
  if (!o.analysis.any()) {
    out += ",\"analysis\":[],\"duplicate_ack_num\":null,\"duplicate_ack_frame\":null,\"retransmission_of\":null";
    if (o.answers_copy != 0) {
      key(out, "answers_copy");
      number(out, o.answers_copy);
    } else {
      out += ",\"answers_copy\":null";
    }
    return;
  }
  // As in Wireshark's fields, a fast or spurious retransmission is also a retransmission (tcp.analysis.retransmission
  // finds all three).
  namespace a = lab::flow::analysis;
  std::uint16_t listed = o.analysis.bits;
  if (listed & (a::fast_retransmission | a::spurious_retransmission)) listed |= a::retransmission;
  out += ",\"analysis\":[";
  bool first_finding = true;
  for (const std::uint16_t finding : a::all) {
    if (!(listed & finding)) continue;
    if (!first_finding) out += ',';
    first_finding = false;
    out += '"';
    out += a::field_name(finding);
    out += '"';
  }
  out += ']';
  const auto number_or_null = [&out](bool known, std::uint32_t value) {
    if (known) number(out, value);
    else out += "null";
  };
  key(out, "duplicate_ack_num");
  number_or_null(o.dup_ack_num != 0, o.dup_ack_num);
  key(out, "duplicate_ack_frame");
  number_or_null(o.dup_ack_num != 0, o.dup_ack_frame);
  key(out, "retransmission_of");
  number_or_null(o.retransmission_of != 0, o.retransmission_of);
  key(out, "answers_copy");
  number_or_null(o.answers_copy != 0, o.answers_copy);
}

// An IP fragment's facts (`fragment`), the datagram it completed (`reassembled`), datagrams given up incomplete at
// this packet (`fragments_given_up`); absent when there are none.
void fragment_fields(std::string& out, const lab::flow::FragmentReport& f) {
  if (f.is_fragment) {
    out += ",\"fragment\":{\"id\":";
    number(out, f.id);
    field(out, "offset", f.offset);
    field(out, "length", f.length);
    out += f.more ? ",\"more\":true" : ",\"more\":false";
    field(out, "index", f.index);
    key(out, "problem");
    if (f.problem == lab::flow::FragmentProblem::none) out += "null";
    else text_value(out, lab::flow::fragment_problem_name(f.problem));
    out += '}';
  }
  if (f.completes) {
    out += ",\"reassembled\":{\"fragments\":[";
    for (std::size_t i = 0; i < f.fragment_count; ++i) {
      if (i) out += ',';
      number(out, f.packets[i]);
    }
    out += ']';
    field(out, "length", f.datagram_length);
    field(out, "wire_bytes", f.wire_bytes);
    key(out, "dropped_fragment");
    if (f.dropped_packet) number(out, f.dropped_packet);
    else out += "null";
    out += '}';
  }
  if (f.given_up_count == 0) return;
  out += ",\"fragments_given_up\":[";
  bool first = true;
  for (const lab::flow::GivenUpDatagram& g : f.given_up_datagrams()) {
    if (!first) out += ',';
    first = false;
    out += "{\"id\":";
    number(out, g.id);
    key(out, "src");
    text_value(out, lab::decode::to_string(g.src));
    key(out, "dst");
    text_value(out, lab::decode::to_string(g.dst));
    field(out, "fragments", g.fragments);
    field(out, "first_packet", g.first_packet);
    key(out, "waited");
    nanoseconds_as_seconds(out, g.waited_ns);
    word(out, "reason", lab::flow::give_up_reason_name(g.reason));
    out += '}';
  }
  out += ']';
}

// Text from the wire (a method, a target, a field's value): lossy only where it is not UTF-8.
template <std::size_t N, std::size_t M>
void wire_text_field(std::string& out, const char (&name)[N], const lab::flow::FixedText<M>& text) {
  key(out, name);
  out += '"';
  append_json_bytes(out, text.view());
  out += '"';
}

template <std::size_t N, std::size_t M>
void wire_text_or_null(std::string& out, const char (&name)[N], const lab::flow::FixedText<M>& text) {
  if (text.empty()) {
    key(out, name);
    out += "null";
  } else {
    wire_text_field(out, name, text);
  }
}

void boolean(std::string& out, bool value) { out += value ? "true" : "false"; }

const char* body_length_name(lab::decode::HttpBodyLength body) {
  switch (body) {
    case lab::decode::HttpBodyLength::none: return "none";
    case lab::decode::HttpBodyLength::content_length: return "content-length";
    case lab::decode::HttpBodyLength::chunked: return "chunked";
    case lab::decode::HttpBodyLength::until_close: return "until-close";
    case lab::decode::HttpBodyLength::tunnel: return "tunnel";
  }
  return "none";
}

void http_message(std::string& out, const lab::flow::HttpMessageSeen& m) {
  out += m.is_request ? "{\"type\":\"request\"" : "{\"type\":\"response\"";
  field(out, "number", m.number);
  if (m.is_request) {
    wire_text_field(out, "method", m.method);
    wire_text_field(out, "target", m.target);
    out += ",\"status\":null,\"reason\":null";
  } else {
    out += ",\"method\":null,\"target\":null";
    field(out, "status", static_cast<std::uint64_t>(m.status));
    wire_text_field(out, "reason", m.reason);
  }
  out += m.version_minor == 0 ? ",\"version\":\"HTTP/1.0\"" : ",\"version\":\"HTTP/1.1\"";
  // The names as sent, in order (a name is a token: it holds no comma or space, so ", " separates them).
  out += ",\"headers\":[";
  std::string_view names = m.field_names.view();
  for (bool first = true; !names.empty(); first = false) {
    const std::size_t comma = names.find(", ");
    if (!first) out += ',';
    out += '"';
    append_json_bytes(out, names.substr(0, comma));
    out += '"';
    names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 2);
  }
  out += ']';
  field(out, "header_count", m.field_count);
  wire_text_or_null(out, "host", m.host);
  wire_text_or_null(out, "content_type", m.content_type);
  wire_text_or_null(out, "transfer_encoding", m.transfer_encoding);
  wire_text_or_null(out, "connection", m.connection);
  word(out, "body", body_length_name(m.body));
  key(out, "content_length");
  if (m.content_length_sent) number(out, m.content_length);
  else out += "null";
  key(out, "persistent");
  boolean(out, m.persistent);
  field(out, "head_bytes", m.head_bytes);
  field(out, "head_from_packet", m.head_from_packet);
  field(out, "head_segments", m.head_segments);
  key(out, "body_ends_here");
  boolean(out, m.body_ends_here);
  packet_or_null(out, "answers_packet", m.answers_packet);
  key(out, "interim");
  boolean(out, m.interim);
  field(out, "unanswered_before", m.unanswered_before);
  out += '}';
}

// What the HTTP stream tracker read in this segment (null when it carries no HTTP).
void http_fields(std::string& out, const lab::flow::HttpObservation& h) {
  key(out, "http");
  if (!h.carries) {
    out += "null";
    return;
  }
  out += "{\"messages\":[";
  for (std::size_t i = 0; i < h.head_count; ++i) {
    if (i > 0) out += ',';
    http_message(out, h.heads[i]);
  }
  out += ']';
  field(out, "messages_not_kept", h.heads_not_kept);
  field(out, "body_bytes", h.body_bytes);
  packet_or_null(out, "body_of_packet", h.body_of_packet);
  field(out, "body_so_far", h.body_so_far);
  out += ",\"body_ends\":[";
  for (std::size_t i = 0; i < h.body_end_count; ++i) {
    const auto& e = h.body_ends[i];
    if (i > 0) out += ',';
    out += "{\"of_packet\":";
    number(out, e.head_packet);
    word(out, "type", e.is_request ? "request" : "response");
    word(out, "how", body_length_name(e.how));
    field(out, "bytes", e.bytes);
    field(out, "data_bytes", e.data_bytes);
    field(out, "chunks", e.chunks);
    field(out, "segments", e.segments);
    out += '}';
  }
  out += ']';
  packet_or_null(out, "head_in_progress_from", h.head_in_progress_from);
  key(out, "copy");
  boolean(out, h.copy);
  packet_or_null(out, "copy_of_head", h.copy_of_head);
  key(out, "stopped");
  if (h.stopped == lab::flow::HttpStop::none) {
    out += "null";
  } else {
    out += '"';
    out += lab::flow::http_stop_name(h.stopped);
    out += '"';
  }
  key(out, "error");
  if (h.error.empty()) out += "null";
  else text_value(out, h.error);
  key(out, "close");
  if (!h.close.known) {
    out += "null";
  } else {
    const auto& c = h.close;
    out += '{';
    out += "\"requests\":";
    number(out, c.requests);
    field(out, "responses", c.responses);
    field(out, "unanswered", c.unanswered);
    packet_or_null(out, "last_message_packet", c.last_message_packet);
    key(out, "own_close");
    boolean(out, c.own_close);
    word(out, "own_ending", lab::flow::http_ending_name(c.own_ending));
    packet_or_null(out, "asked_close_packet", c.asked_close_packet);
    word(out, "asked_ending", lab::flow::http_ending_name(c.asked_ending));
    key(out, "body_until_close");
    boolean(out, c.body_until_close);
    key(out, "mid_message");
    boolean(out, c.mid_message);
    key(out, "peer_mid_message");
    boolean(out, c.peer_mid_message);
    key(out, "side_lost");
    boolean(out, c.side_lost);
    key(out, "since_last_message");
    nanoseconds_as_seconds(out, c.since_last_message_ns);
    out += '}';
  }
  out += '}';
}

// "0x0303": a version as Wireshark's tls.record.version shows it.
void hex16_value(std::string& out, std::uint16_t value) { fmt::format_to(std::back_inserter(out), "\"0x{:04x}\"", value); }

void name_or_number(std::string& out, const char* name, std::uint16_t value) {
  if (name) text_value(out, name);
  else hex16_value(out, value);
}

// What the TLS stream tracker read in this segment (null when it carries no TLS).
void tls_fields(std::string& out, const lab::flow::TlsObservation& t) {
  key(out, "tls");
  if (!t.carries) {
    out += "null";
    return;
  }
  out += "{\"records\":[";
  for (std::size_t i = 0; i < t.record_count; ++i) {
    const auto& r = t.records[i];
    if (i > 0) out += ',';
    out += "{\"content_type\":";
    number(out, r.content_type);
    key(out, "type");
    if (const char* name = lab::decode::tls_content_type_name(r.content_type)) text_value(out, name);
    else out += "null";
    key(out, "version");
    hex16_value(out, r.version);
    field(out, "length", r.length);
    field(out, "from_packet", r.from_packet);
    field(out, "segments", r.segments);
    key(out, "encrypted");
    boolean(out, r.encrypted);
    out += '}';
  }
  out += ']';
  field(out, "records_not_kept", t.records_not_kept);
  out += ",\"handshake\":[";
  bool first = true;
  for (std::size_t i = 0; i < t.hello_count; ++i) {
    const auto& h = t.hellos[i];
    if (!first) out += ',';
    first = false;
    out += "{\"handshake_type\":";
    number(out, h.type);
    key(out, "name");
    text_value(out, lab::decode::tls_handshake_type_name(h.type));
    if (h.type == lab::decode::tls_handshake_type::client_hello) {
      wire_text_or_null(out, "server_name", h.server_name);
      out += ",\"alpn\":[";
      std::string_view names = h.alpn.view();
      for (bool first_name = true; !names.empty(); first_name = false) {
        const std::size_t comma = names.find(", ");
        if (!first_name) out += ',';
        out += '"';
        append_json_bytes(out, names.substr(0, comma));
        out += '"';
        names.remove_prefix(comma == std::string_view::npos ? names.size() : comma + 2);
      }
      out += "],\"supported_versions\":[";
      for (std::size_t v = 0; v < h.supported_version_count; ++v) {
        if (v > 0) out += ',';
        hex16_value(out, h.supported_versions[v]);
      }
      out += ']';
      field(out, "cipher_suites_offered", h.cipher_suite_count);
      key(out, "first_cipher_suite");
      name_or_number(out, lab::decode::tls_cipher_suite_name(h.first_cipher_suite), h.first_cipher_suite);
      key(out, "key_share");
      boolean(out, h.key_share);
      key(out, "resumption");
      boolean(out, h.resumption);
    } else {
      key(out, "version");
      hex16_value(out, h.version);
      key(out, "cipher_suite");
      name_or_number(out, lab::decode::tls_cipher_suite_name(h.cipher_suite), h.cipher_suite);
      field(out, "cipher_suite_number", h.cipher_suite);
      key(out, "hello_retry_request");
      boolean(out, h.hello_retry_request);
      wire_text_or_null(out, "alpn", h.chosen_alpn);
    }
    key(out, "legacy_version");
    hex16_value(out, h.legacy_version);
    field(out, "from_packet", h.from_packet);
    out += '}';
  }
  for (std::size_t i = 0; i < t.other_handshake_count; ++i) {
    if (!first) out += ',';
    first = false;
    out += "{\"handshake_type\":";
    number(out, t.other_handshake_types[i]);
    key(out, "name");
    if (const char* name = lab::decode::tls_handshake_type_name(t.other_handshake_types[i])) text_value(out, name);
    else out += "null";
    out += '}';
  }
  out += ']';
  key(out, "alert");
  if (t.alert) {
    out += "{\"level\":";
    number(out, t.alert_level);
    field(out, "description", t.alert_description);
    key(out, "name");
    if (const char* name = lab::decode::tls_alert_name(t.alert_description)) text_value(out, name);
    else out += "null";
    out += '}';
  } else {
    out += "null";
  }
  packet_or_null(out, "record_in_progress_from", t.record_in_progress_from);
  key(out, "copy");
  boolean(out, t.copy);
  key(out, "negotiated_version");
  if (t.negotiated_version != 0) hex16_value(out, t.negotiated_version);
  else out += "null";
  key(out, "tls13_compat");
  boolean(out, t.tls13_compat);
  key(out, "stopped");
  if (t.stopped == lab::flow::HttpStop::none) {
    out += "null";
  } else {
    out += '"';
    out += lab::flow::http_stop_name(t.stopped);
    out += '"';
  }
  key(out, "error");
  if (t.error.empty()) out += "null";
  else text_value(out, t.error);
  out += '}';
}

// An ARP packet's fields, by RFC 826's names spelled out (tshark's arp.* where they differ: hw_type is arp.hw.type,
// hw_size arp.hw.size), and what the tracker found; null where the packet did not carry the field whole.
void arp_fields(std::string& out, const PacketView& v) {
  const auto& arp = v.packet.arp;
  const auto& o = v.observation.arp;
  if (!arp) {
    out += ",\"op\":null,\"hw_type\":null,\"proto_type\":null,\"hw_size\":null,\"proto_size\":null";
  } else {
    key(out, "op");
    if (const char* name = lab::decode::arp_op_name(arp->op)) {
      out += '"';
      out += name;
      out += '"';
    } else {
      number(out, arp->op);
    }
    field(out, "hw_type", arp->hardware_type);
    field(out, "proto_type", arp->protocol_type);
    field(out, "hw_size", arp->hardware_len);
    field(out, "proto_size", arp->protocol_len);
  }
  const bool read = arp && arp->addresses_read;
  mac_field(out, "sender_mac", read ? &arp->sender_mac : nullptr);
  ip_field(out, "sender_ip", read ? &arp->sender_ip : nullptr);
  mac_field(out, "target_mac", read ? &arp->target_mac : nullptr);
  ip_field(out, "target_ip", read ? &arp->target_ip : nullptr);
  out += read && arp->is_gratuitous() ? ",\"gratuitous\":true" : ",\"gratuitous\":false";
  out += read && arp->is_announcement() ? ",\"announcement\":true" : ",\"announcement\":false";
  out += read && arp->is_probe() ? ",\"probe\":true" : ",\"probe\":false";
  packet_or_null(out, "answers", o.answers);
  packet_or_null(out, "repeats", o.repeats);
}

}  // namespace

// With RST: the clues of why (rst_clues.hpp); null on other segments.
void rst_fields(std::string& out, const PacketView& v) {
  key(out, "rst");
  if (!v.packet.tcp->has(lab::decode::tcp_flag::rst)) {
    out += "null";
    return;
  }
  const lab::flow::RstClues& r = v.observation.tcp.rst;
  out += "{\"clue\":\"";
  out += lab::flow::rst_clue_name(r.clue);
  out += '"';
  packet_or_null(out, "own_fin_packet", r.own_fin_packet);
  packet_or_null(out, "peer_data_packet", r.peer_data_packet);
  key(out, "acks_peer_data");
  boolean(out, r.acks_peer_data);
  key(out, "peer_data_after_fin");
  boolean(out, r.peer_data_after_fin);
  key(out, "since_peer_data");
  nanoseconds_as_seconds(out, r.since_peer_data_ns);
  key(out, "idle");
  nanoseconds_as_seconds(out, r.idle_ns);
  field(out, "ttl", r.ttl);
  packet_or_null(out, "sender_ttl_before", r.sender_ttl_before);
  out += '}';
}

void JsonRenderer::packet(const PacketView& v, std::string& out) {
  const auto& p = v.packet;
  const auto& o = v.observation;
  out += "{\"type\":\"packet\"";
  field(out, "index", v.index);
  key(out, "time");
  nanoseconds_as_seconds(out, v.time_ns);
  word(out, "proto", proto_name(p));
  key(out, "src");
  out += '"';
  append_address(out, p, true);
  out += '"';
  key(out, "dst");
  out += '"';
  append_address(out, p, false);
  out += '"';
  if (o.conversation) {
    field(out, "stream", o.conversation->stream);
    word(out, "from", lab::flow::role_name(o.from));
    word(out, "to", lab::flow::role_name(lab::flow::other(o.from)));
  } else {
    out += ",\"stream\":null,\"from\":null,\"to\":null";
  }
  field(out, "len", p.payload_len);
  field(out, "wire_len", v.frame.wire_len);
  // The frame's own addresses, on every packet: null where the link layer has none (Linux cooked, loopback, raw IP).
  {
    const lab::decode::MacAddress src = p.link.src_mac(), dst = p.link.dst_mac();
    mac_field(out, "src_mac", p.link.has_macs ? &src : nullptr);
    mac_field(out, "dst_mac", p.link.has_macs ? &dst : nullptr);
  }
  packet_or_null(out, "dst_mac_from_arp", o.arp.dst_mac_from_reply);
  if (p.link.protocol == lab::decode::ethertype::arp && !p.has_ip()) arp_fields(out, v);
  if (p.tcp && o.conversation) {
    tcp_fields(out, v);
    http_fields(out, o.http);
    tls_fields(out, o.tls);
    rst_fields(out, v);
  }
  if (p.udp) {
    field(out, "udp_length", p.udp->length);
    field(out, "checksum", p.udp->checksum);
  }
  if (p.icmp) {
    field(out, "icmp_type", p.icmp->type);
    field(out, "icmp_code", p.icmp->code);
    if (o.icmp.about) {
      out += ",\"about\":{\"stream\":";
      number(out, o.icmp.about->stream);
      out += o.icmp.about->key.protocol == lab::decode::ip_protocol::tcp ? ",\"proto\":\"tcp\"" : ",\"proto\":\"udp\"";
      field(out, "packet", o.icmp.about_packet);
      out += '}';
    }
  }
  // What the lab's own wire did with it (a file's packets: delivered, trigger unknown).
  if (o.delivered && v.frame.wire.trigger == lab::decode::SendTrigger::unknown) {
    out += ",\"dropped_by_lab\":false,\"send_trigger\":null";  // every packet of a file
  } else if (v.frame.wire.trigger != lab::decode::SendTrigger::unknown) {
    out += o.delivered ? ",\"dropped_by_lab\":false,\"send_trigger\":\"" : ",\"dropped_by_lab\":true,\"send_trigger\":\"";
    out += lab::decode::send_trigger_name(v.frame.wire.trigger);
    out += '"';
  } else {
    out += ",\"dropped_by_lab\":true,\"send_trigger\":null";
  }
  // When the lab's wire handed it to the receiver, on the same clock as `time` (null: dropped, or not a wire frame).
  if (v.frame.wire.delivered_ns != 0) {
    out += ",\"delivered\":";
    nanoseconds_as_seconds(out, v.time_ns + (v.frame.wire.delivered_ns - v.frame.time_ns));
  } else {
    out += ",\"delivered\":null";
  }
  if (v.fragments) fragment_fields(out, *v.fragments);
  if (p.error) {
    out += ",\"error\":{\"layer\":\"";
    out += lab::decode::layer_name(p.error->layer);
    out += "\"";
    word(out, "kind", lab::decode::error_kind_name(p.error->kind));
    field(out, "offset", p.error->offset);
    field(out, "needed", p.error->needed);
    field(out, "present", p.error->present);
    key(out, "what");
    text_value(out, p.error->what);
    out += '}';
  }
  // Wireshark's default colouring rule for it (coloring_rules.hpp): tshark's frame.coloring_rule.name.
  key(out, "coloring_rule");
  if (const ColoringRule* rule = coloring_rule(p, o)) text_value(out, rule->name);
  else out += "null";
  key(out, "note");
  text_value(out, v.note);
  out += "}\n";
}

void JsonRenderer::app(const AppView& v, std::string& out) {
  const auto& e = v.event;
  out += "{\"type\":\"app\"";
  key(out, "time");
  nanoseconds_as_seconds(out, v.time_ns);
  word(out, "actor", lab::flow::role_name(e.actor));
  word(out, "event", lab::timeline::app_call_name(e.call));
  word(out, "proto", e.tcp ? "tcp" : "udp");
  key(out, "local");
  text_value(out, e.local);
  key(out, "peer");
  text_value(out, e.peer);
  field(out, "bytes", e.bytes);
  // `data`: the first bytes as text (valid UTF-8 as it is); `data_hex`: the same bytes exactly. `bytes` > their
  // length means the call moved more than is kept.
  key(out, "data");
  out += '"';
  append_json_bytes(out, e.data);
  out += '"';
  key(out, "data_hex");
  out += '"';
  append_hex(out, e.data);
  out += '"';
  if (!e.kernel_state.empty()) {
    key(out, "kernel_state");
    text_value(out, e.kernel_state);
    key(out, "capture_state");
    if (v.capture_state) text_value(out, lab::flow::tcp_state_name(*v.capture_state));
    else out += "null";
    key(out, "capture_state_after");
    if (v.state_after) text_value(out, lab::flow::tcp_state_name(*v.state_after));
    else out += "null";
  }
  if (!e.detail.empty()) {
    key(out, "detail");
    text_value(out, e.detail);
  }
  if (e.tls) out += ",\"tls\":true";  // through SSL_write/SSL_read: data and bytes are the plaintext
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
  fmt::format_to(it, ",\"packets\":{},\"payload_bytes\":{},\"resent_bytes\":{},\"wire_bytes\":{}", f.packets,
                 f.payload_bytes, f.resent_bytes, f.wire_bytes);
  fmt::format_to(it,
                 ",\"sent\":{{\"client\":{{\"packets\":{},\"payload_bytes\":{},\"resent_bytes\":{}}},"
                 "\"server\":{{\"packets\":{},\"payload_bytes\":{},\"resent_bytes\":{}}}}}",
                 c->sent[0].packets, c->sent[0].payload_bytes, c->sent[0].resent_bytes, c->sent[1].packets,
                 c->sent[1].payload_bytes, c->sent[1].resent_bytes);
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
    const auto& t = c->trouble;
    fmt::format_to(it,
                   ",\"analysis\":{{\"retransmissions\":{},\"fast_retransmissions\":{},\"spurious_retransmissions\":{},"
                   "\"duplicate_acks\":{},\"out_of_order\":{},\"lost_segments\":{},\"acked_unseen\":{},\"zero_windows\":{}}}",
                   t.retransmissions, t.fast_retransmissions, t.spurious_retransmissions, t.duplicate_acks, t.out_of_order,
                   t.lost_segments, t.acked_unseen, t.zero_windows);
  }
  fmt::format_to(it, ",\"dropped_by_lab\":{}", c->trouble.dropped_by_lab);
  out += '}';
}

// The capture's ARP traffic: counts, and the requests no reply followed in it.
void arp_summary(std::string& out, const lab::flow::ArpTracker* tracker) {
  const lab::flow::ArpSummary s = tracker ? tracker->summary() : lab::flow::ArpSummary{};
  out += ",\"arp\":{\"packets\":";
  number(out, s.packets);
  field(out, "requests", s.requests);
  field(out, "replies", s.replies);
  field(out, "probes", s.probes);
  field(out, "gratuitous", s.gratuitous);
  field(out, "other", s.other);
  out += ",\"unanswered\":[";
  bool first = true;
  for (const lab::flow::ArpRequestRecord& r : s.unanswered) {
    if (!first) out += ',';
    first = false;
    out += "{\"packet\":";
    number(out, r.packet);
    ip_field(out, "sender_ip", &r.asker_ip);
    mac_field(out, "sender_mac", &r.asker_mac);
    ip_field(out, "target_ip", &r.wanted_ip);
    out += '}';
  }
  out += ']';
  field(out, "forgotten", s.forgotten);
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
  arp_summary(out, v.arp);
  if (!v.closing_tip.empty()) {
    key(out, "tip");
    text_value(out, v.closing_tip);
  }
  if (!v.lab_fields.empty()) {
    out += ',';
    out += v.lab_fields;
  }
  out += "}\n";
}

}  // namespace lab::render
