#include "labs/net/wire_feed.hpp"

#include "capture/decode/byte_reader.hpp"

namespace lab::labs {

namespace {

using lab::decode::ByteReader;
using lab::decode::KernelTcpFigures;
using lab::decode::KernelTcpState;
using lab::decode::KernelView;

// Little-endian, field by field: the layout is this file's, not a struct's.
void put8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  put32(out, static_cast<std::uint32_t>(v));
  put32(out, static_cast<std::uint32_t>(v >> 32));
}
std::uint64_t get64(ByteReader& in) {
  const std::uint64_t low = in.le32();
  return low | (std::uint64_t{in.le32()} << 32);
}

void put_figures(std::vector<std::uint8_t>& out, const KernelTcpFigures& f) {
  put8(out, f.known ? 1 : 0);
  for (std::uint32_t v : {f.rtt_us, f.rttvar_us, f.rto_us, f.cwnd, f.total_retrans}) put32(out, v);
}
KernelTcpFigures get_figures(ByteReader& in) {
  KernelTcpFigures f;
  f.known = in.u8() == 1;
  f.rtt_us = in.le32();
  f.rttvar_us = in.le32();
  f.rto_us = in.le32();
  f.cwnd = in.le32();
  f.total_retrans = in.le32();
  return f;
}

void put_view(std::vector<std::uint8_t>& out, const KernelView& v) {
  put8(out, static_cast<std::uint8_t>(v.client));
  put8(out, static_cast<std::uint8_t>(v.server));
  put_figures(out, v.client_figures);
  put_figures(out, v.server_figures);
}
// A state number the kernel's list does not have reads as not read.
KernelTcpState get_state(ByteReader& in) {
  const std::uint8_t s = in.u8();
  return s <= static_cast<std::uint8_t>(KernelTcpState::closing) ? static_cast<KernelTcpState>(s)
                                                                  : KernelTcpState::not_read;
}
KernelView get_view(ByteReader& in) {
  KernelView v;
  v.client = get_state(in);
  v.server = get_state(in);
  v.client_figures = get_figures(in);
  v.server_figures = get_figures(in);
  return v;
}

}  // namespace

void encode_feed_frame(const lab::decode::Frame& frame, std::uint32_t missed_before, std::vector<std::uint8_t>& out) {
  out.clear();
  put8(out, static_cast<std::uint8_t>(FeedKind::frame));
  put32(out, missed_before);
  put64(out, static_cast<std::uint64_t>(frame.time_ns));
  put32(out, frame.link_type);
  put32(out, frame.wire_len);
  put8(out, frame.wire.dropped ? 1 : 0);
  put8(out, static_cast<std::uint8_t>(frame.wire.trigger));
  put64(out, static_cast<std::uint64_t>(frame.wire.delivered_ns));
  put64(out, frame.wire.id);
  put_view(out, frame.wire.kernel);
  put32(out, static_cast<std::uint32_t>(frame.bytes.size()));
  out.insert(out.end(), frame.bytes.begin(), frame.bytes.end());
}

void encode_feed_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const KernelView& kernel,
                           std::uint32_t missed_before, std::vector<std::uint8_t>& out) {
  out.clear();
  put8(out, static_cast<std::uint8_t>(FeedKind::delivered));
  put32(out, missed_before);
  put64(out, wire_id);
  put64(out, static_cast<std::uint64_t>(delivered_ns));
  put_view(out, kernel);
}

std::optional<FeedMessage> decode_feed_message(std::span<const std::uint8_t> message) {
  ByteReader in(message);
  FeedMessage m;
  const std::uint8_t kind = in.u8();
  m.missed_before = in.le32();
  if (kind == static_cast<std::uint8_t>(FeedKind::frame)) {
    m.kind = FeedKind::frame;
    m.frame.time_ns = static_cast<std::int64_t>(get64(in));
    m.frame.link_type = in.le32();
    m.frame.wire_len = in.le32();
    m.frame.wire.dropped = in.u8() == 1;
    const std::uint8_t trigger = in.u8();
    m.frame.wire.trigger = trigger <= static_cast<std::uint8_t>(lab::decode::SendTrigger::repeated_syn)
                               ? static_cast<lab::decode::SendTrigger>(trigger)
                               : lab::decode::SendTrigger::unknown;
    m.frame.wire.delivered_ns = static_cast<std::int64_t>(get64(in));
    m.frame.wire.id = get64(in);
    m.frame.wire.kernel = get_view(in);
    const std::uint32_t length = in.le32();
    m.frame.bytes = in.take(length);
    // The captured bytes can be fewer than the frame's length, never more.
    if (!in.ok() || in.remaining() != 0 || length > m.frame.wire_len) return std::nullopt;
    return m;
  }
  if (kind == static_cast<std::uint8_t>(FeedKind::delivered)) {
    m.kind = FeedKind::delivered;
    m.wire_id = get64(in);
    m.delivered_ns = static_cast<std::int64_t>(get64(in));
    m.kernel = get_view(in);
    if (!in.ok() || in.remaining() != 0) return std::nullopt;
    return m;
  }
  return std::nullopt;
}

std::vector<std::uint8_t> encode_fault_request(const FaultRequest& request) {
  std::vector<std::uint8_t> out{'S'};
  const FaultOptions& f = request.faults;
  put32(out, static_cast<std::uint32_t>(f.drops.size()));
  for (const DropRule& rule : f.drops) {
    put8(out, static_cast<std::uint8_t>(rule.kind));
    put32(out, rule.nth);
  }
  // The loss in millionths of a percent: an exact integer on the way, whatever the two ends' float formats.
  put64(out, static_cast<std::uint64_t>(f.loss_percent * 1e6 + 0.5));
  put64(out, f.seed);
  put32(out, f.delay_ms);
  put32(out, static_cast<std::uint32_t>(request.text.size()));
  out.insert(out.end(), request.text.begin(), request.text.end());
  return out;
}

std::optional<FaultRequest> decode_fault_request(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes);
  FaultRequest r;
  const std::uint32_t drops = in.le32();
  if (drops > 64) return std::nullopt;  // lab net set takes a few; more is not a request of ours
  for (std::uint32_t i = 0; i < drops; ++i) {
    const std::uint8_t kind = in.u8();
    const std::uint32_t nth = in.le32();
    if (kind >= static_cast<std::uint8_t>(PacketKind::other) || nth == 0) return std::nullopt;
    r.faults.drops.push_back({static_cast<PacketKind>(kind), nth});
  }
  const std::uint64_t loss = get64(in);
  if (loss > 100'000'000) return std::nullopt;
  r.faults.loss_percent = static_cast<double>(loss) / 1e6;
  r.faults.seed = get64(in);
  r.faults.delay_ms = in.le32();
  const std::uint32_t length = in.le32();
  const auto text = in.take(length);
  if (!in.ok() || in.remaining() != 0) return std::nullopt;
  r.text.assign(text.begin(), text.end());
  return r;
}

}  // namespace lab::labs
