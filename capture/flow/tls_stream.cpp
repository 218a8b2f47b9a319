#include "capture/flow/tls_stream.hpp"

#include <algorithm>

#include "capture/decode/tls.hpp"
#include "capture/flow/seq.hpp"

namespace lab::flow {

using lab::decode::tls_content::alert;
using lab::decode::tls_content::application_data;
using lab::decode::tls_content::change_cipher_spec;
using lab::decode::tls_content::handshake;

namespace {

constexpr int client = 0;
constexpr int server = 1;
// Clear handshake messages are small (a ClientHello is a few hundred bytes, a certificate chain a few kB); a side
// that sends more in clear than this is not followed further into its handshake.
constexpr std::size_t max_clear_handshake = 64 * 1024;

}  // namespace

TlsConversation::TlsConversation() {
  for (Side& side : sides_) side.handshake.reserve(2048);
}

void TlsConversation::observe(int from, const StreamSegment& segment, TlsObservation& out) {
  Side& side = sides_[from];
  out.negotiated_version = negotiated_version_;
  if (side.mode == Mode::stopped) return;
  if (!side.started) {
    if (segment.payload_len == 0) return;
    side.started = true;
    side.next = segment.first_seq;
  }
  std::span<const std::uint8_t> bytes = segment.payload;
  std::uint32_t declared = segment.payload_len;
  const std::int32_t ahead = seq_diff(side.next, segment.first_seq);
  if (ahead < 0) {
    const std::uint32_t behind = side.next - segment.first_seq;  // unsigned: no overflow at -2^31
    if (behind >= declared) {
      if (declared > 0 && side.is_tls) out.carries = out.copy = true;
      return;
    }
    bytes = bytes.subspan(std::min<std::size_t>(behind, bytes.size()));
    declared -= behind;
  } else if (ahead > 0) {
    const auto missing = static_cast<std::uint32_t>(ahead);
    if (side.mode == Mode::body && !side.keep_body && missing <= side.body_left) {
      side.body_left -= missing;  // encrypted bytes the capture missed: not needed to find the next header
    } else {
      stop(from, HttpStop::gap, out);
      return;
    }
  }
  const std::size_t captured = std::min<std::size_t>(bytes.size(), declared);
  feed(from, bytes.first(captured), segment, out);
  if (declared > captured && side.mode != Mode::stopped) {
    const std::uint32_t uncaptured = declared - static_cast<std::uint32_t>(captured);
    if (side.mode == Mode::body && !side.keep_body && uncaptured <= side.body_left) {
      side.body_left -= uncaptured;
      if (side.body_left == 0) record_done(from, segment, out);
    } else {
      stop(from, HttpStop::gap, out);
    }
  }
  side.next = segment.first_seq + segment.payload_len;
  out.tls13_compat = negotiated_version_ == 0x0304 || hello_retry_;
  if (side.is_tls && side.mode != Mode::stopped && (side.mode == Mode::body || side.header_bytes > 0)) {
    out.carries = true;
    out.record_in_progress_from = side.record.from_packet;
    out.record_in_progress_length = side.mode == Mode::body ? side.record.length : 0;
    out.record_bytes_so_far =
        side.mode == Mode::body ? side.record.length - side.body_left : side.header_bytes;
  }
  out.negotiated_version = negotiated_version_;
  out.tls13_compat = negotiated_version_ == 0x0304 || hello_retry_;
}

void TlsConversation::feed(int from, std::span<const std::uint8_t> rest, const StreamSegment& segment,
                           TlsObservation& out) {
  Side& side = sides_[from];
  const std::size_t most_passes = rest.size() + 1;
  for (std::size_t pass = 0; !rest.empty() && pass < most_passes && side.mode != Mode::stopped; ++pass) {
    if (side.mode == Mode::header) {
      if (side.header_bytes == 0) {
        side.record = TlsRecordSeen{};
        side.record.from_packet = segment.packet_index;
        side.record.segments = 0;
        side.last_packet = 0;
      }
      if (side.last_packet != segment.packet_index) ++side.record.segments;
      side.last_packet = segment.packet_index;
      const std::size_t take = std::min<std::size_t>(rest.size(), side.header.size() - side.header_bytes);
      std::copy_n(rest.begin(), take, side.header.begin() + side.header_bytes);
      side.header_bytes = static_cast<std::uint8_t>(side.header_bytes + take);
      rest = rest.subspan(take);
      if (side.header_bytes < side.header.size()) return;
      side.header_bytes = 0;
      const auto header = lab::decode::read_tls_record_header(side.header);
      // A side is TLS when its first bytes are a record header (any type: a capture that starts after the handshake
      // begins with application_data) of a record with something in it: TLS never sends an empty handshake record
      // (RFC 8446 section 5.1), and programs that dress their own protocol up as TLS start with empty ones.
      if (!header || (!side.is_tls && header->length == 0)) {
        if (side.is_tls) stop(from, HttpStop::malformed, out, "bytes that are no TLS record header where the next record should start");
        else side.mode = Mode::stopped;
        return;
      }
      side.is_tls = true;
      side.record.content_type = header->content_type;
      side.record.version = header->version;
      side.record.length = header->length;
      side.record.encrypted = header->content_type == application_data ||
                              (side.keys_changed && header->content_type != change_cipher_spec);
      side.keep_body = !side.record.encrypted && (header->content_type == handshake || header->content_type == alert);
      if (side.keep_body && side.handshake.empty()) side.handshake_from_packet = side.record.from_packet;
      side.body_left = header->length;
      side.mode = Mode::body;
      if (side.body_left == 0) record_done(from, segment, out);
      continue;
    }
    // Mode::body
    if (side.last_packet != segment.packet_index) ++side.record.segments;
    side.last_packet = segment.packet_index;
    const std::size_t take = std::min<std::size_t>(rest.size(), side.body_left);
    if (side.keep_body) {
      if (side.handshake.size() + take > max_clear_handshake) {
        side.keep_body = false;  // too much in clear to keep: the rest is only counted
        side.handshake.clear();
      } else {
        side.handshake.insert(side.handshake.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(take));
      }
    }
    side.body_left -= static_cast<std::uint32_t>(take);
    rest = rest.subspan(take);
    if (side.body_left == 0) record_done(from, segment, out);
  }
}

void TlsConversation::record_done(int from, const StreamSegment& segment, TlsObservation& out) {
  Side& side = sides_[from];
  (void)segment;
  out.carries = true;
  if (out.record_count < out.records.size()) out.records[out.record_count++] = side.record;
  else if (out.records_not_kept < 255) ++out.records_not_kept;
  side.mode = Mode::header;
  const std::uint8_t type = side.record.content_type;
  // In TLS 1.2 a ChangeCipherSpec switches its sender to the new keys; in 1.3 (a HelloRetryRequest is 1.3's) it is a
  // dummy for middleboxes, and the keys change with the ServerHello instead.
  if (type == change_cipher_spec && negotiated_version_ != 0x0304 && !hello_retry_) side.keys_changed = true;
  if (type == alert && side.keep_body) {
    // An alert in clear: level (1 warning, 2 fatal) and description.
    if (side.handshake.size() >= 2) {
      out.alert = true;
      out.alert_level = side.handshake[0];
      out.alert_description = side.handshake[1];
    }
    side.handshake.clear();
  } else if (type == handshake && side.keep_body) {
    read_handshake_messages(from, out);
  }
  side.keep_body = false;
}

void TlsConversation::read_handshake_messages(int from, TlsObservation& out) {
  Side& side = sides_[from];
  std::size_t used = 0;
  while (side.handshake.size() - used >= 4) {
    const std::span<const std::uint8_t> rest(side.handshake.data() + used, side.handshake.size() - used);
    const std::uint32_t length = (std::uint32_t{rest[1]} << 16) | (std::uint32_t{rest[2]} << 8) | rest[3];
    if (rest.size() < 4 + std::size_t{length}) break;  // continues in the next record
    const lab::decode::TlsHandshakeMessage m = lab::decode::parse_tls_handshake(rest.first(4 + length));
    used += 4 + length;
    if (m.client_hello || m.server_hello) {
      if (out.hello_count >= out.hellos.size()) continue;
      TlsHelloSeen& h = out.hellos[out.hello_count++];
      h = TlsHelloSeen{};
      h.type = m.type;
      h.from_packet = side.handshake_from_packet;
      if (m.client_hello) {
        const auto& c = *m.client_hello;
        h.server_name.assign(c.server_name);
        for (std::size_t i = 0; i < std::min<std::size_t>(c.alpn_count, c.alpn.size()); ++i) {
          if (i > 0) h.alpn.append(", ");
          h.alpn.append(c.alpn[i]);
        }
        h.alpn_count = c.alpn_count;
        h.supported_versions = c.supported_versions;
        h.supported_version_count = c.supported_version_count;
        h.cipher_suite_count = c.cipher_suite_count;
        h.first_cipher_suite = c.cipher_suite_count > 0 ? c.cipher_suites[0] : 0;
        h.key_share = c.has_key_share;
        h.resumption = c.has_session_ticket;
        h.legacy_version = c.legacy_version;
      } else {
        const auto& s = *m.server_hello;
        h.version = s.version();
        h.cipher_suite = s.cipher_suite;
        h.hello_retry_request = s.hello_retry_request;
        h.chosen_alpn.assign(s.alpn);
        h.legacy_version = s.legacy_version;
        if (s.hello_retry_request) hello_retry_ = true;
        if (!s.hello_retry_request) {
          negotiated_version_ = s.version();
          // TLS 1.3 (RFC 8446 section 2): everything after the ServerHello is encrypted, both ways.
          if (negotiated_version_ == 0x0304) sides_[client].keys_changed = sides_[server].keys_changed = true;
        }
      }
    } else if (out.other_handshake_count < out.other_handshake_types.size()) {
      out.other_handshake_types[out.other_handshake_count++] = m.type;
    }
    if (!m.error.empty() && out.stopped == HttpStop::none) out.error = m.error;
  }
  side.handshake.erase(side.handshake.begin(), side.handshake.begin() + static_cast<std::ptrdiff_t>(used));
  side.handshake_from_packet = side.record.from_packet;
}

void TlsConversation::stop(int from, HttpStop why, TlsObservation& out, std::string_view error) {
  Side& side = sides_[from];
  if (side.mode == Mode::stopped) return;
  side.mode = Mode::stopped;
  side.handshake.clear();
  if (!side.is_tls) return;
  out.carries = true;
  if (out.stopped == HttpStop::none) {
    out.stopped = why;
    out.error = error;
  }
}

}  // namespace lab::flow
