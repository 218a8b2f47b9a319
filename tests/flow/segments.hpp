#pragma once
// Builders for tracker and annotator tests: decoded packets made directly as values (the decoders have their
// own byte-level tests), so a test reads like the capture it describes.
#include <array>
#include <cstdint>
#include <string_view>

#include "capture/decode/packet.hpp"
#include "capture/flow/tracker.hpp"

namespace lab::test {

namespace flag = lab::decode::tcp_flag;
constexpr std::uint8_t SYN = flag::syn, ACK = flag::ack, PSH = flag::psh, FIN = flag::fin, RST = flag::rst;

inline lab::flow::Endpoint v4(std::uint8_t last_octet, std::uint16_t port) {
  const std::array<std::uint8_t, 4> b{127, 0, 0, last_octet};
  return {lab::decode::IpAddress::v4(b), port};
}

inline const lab::flow::Endpoint client_ep = v4(1, 48258);
inline const lab::flow::Endpoint server_ep = v4(1, 65432);

inline lab::decode::DecodedPacket tcp(const lab::flow::Endpoint& src, const lab::flow::Endpoint& dst, std::uint32_t seq,
                                      std::uint32_t ack, std::uint8_t flags, std::uint32_t len = 0,
                                      std::string_view payload = {}) {
  lab::decode::DecodedPacket p;
  p.link.kind = lab::decode::LinkKind::ethernet;
  p.link.protocol = lab::decode::ethertype::ipv4;
  lab::decode::Ipv4Header ip;
  ip.ihl = 5;
  ip.header_len = 20;
  ip.ttl = 64;  // as Linux sends (below 5, Wireshark colours it "TTL low")
  ip.protocol = lab::decode::ip_protocol::tcp;
  ip.src = src.ip;
  ip.dst = dst.ip;
  p.ipv4 = ip;
  lab::decode::TcpHeader h;
  h.src_port = src.port;
  h.dst_port = dst.port;
  h.seq = seq;
  h.ack = ack;
  h.flags = flags;
  h.data_offset = 5;
  h.header_len = 20;
  h.window = 65483;
  p.tcp = h;
  p.payload_len = len;
  p.payload = std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
  return p;
}

inline lab::decode::DecodedPacket udp(const lab::flow::Endpoint& src, const lab::flow::Endpoint& dst,
                                      std::string_view payload) {
  lab::decode::DecodedPacket p = tcp(src, dst, 0, 0, 0);
  p.tcp.reset();
  p.ipv4->protocol = lab::decode::ip_protocol::udp;
  lab::decode::UdpHeader h;
  h.src_port = src.port;
  h.dst_port = dst.port;
  h.length = static_cast<std::uint16_t>(8 + payload.size());
  p.udp = h;
  p.payload_len = static_cast<std::uint32_t>(payload.size());
  p.payload = std::span(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size());
  return p;
}

// Feeds packets to a tracker with increasing packet numbers and timestamps (1 ms apart, plus any `wait`).
// `delivered` false: the lab's wire dropped the packet.
struct Feed {
  lab::flow::Tracker tracker;
  std::uint32_t index = 0;
  std::int64_t extra_ns = 0;
  void wait(std::int64_t ns) { extra_ns += ns; }
  std::int64_t now() const { return 1'000'000'000 + std::int64_t{index} * 1'000'000 + extra_ns; }
  lab::flow::Observation operator()(const lab::decode::DecodedPacket& p, bool delivered = true) {
    ++index;
    return tracker.observe(index, now(), 66 + p.payload_len, p, delivered);
  }
};

// The same segment with another window field.
inline lab::decode::DecodedPacket with_window(lab::decode::DecodedPacket p, std::uint16_t window) {
  p.tcp->window = window;
  return p;
}

}  // namespace lab::test
