#pragma once
// Bytes for the decode tests: small builders for variations, and reference frames written out one field per
// line. Builders leave checksums at 0; the reference frames carry correct ones.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "capture/decode/frame.hpp"

namespace lab::test {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}
inline void put32(Bytes& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
}
// Concatenation, so that a frame reads as its layers: ethernet_header(...) + ipv4_packet(...). Bytes is a
// std::vector, so test files bring this in with `using lab::test::operator+;`.
inline Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The first n bytes, as if the capture had stopped there.
inline std::span<const std::uint8_t> cut(const Bytes& bytes, std::size_t n) { return std::span(bytes).first(n); }

// A frame viewing `bytes`, which must outlive it (and everything decoded from it): a temporary would leave
// the decoded spans dangling, so that overload is deleted.
inline decode::Frame frame_of(const Bytes& bytes, std::uint32_t link_type = decode::link_type::ethernet) {
  decode::Frame frame;
  frame.link_type = link_type;
  frame.wire_len = static_cast<std::uint32_t>(bytes.size());
  frame.bytes = bytes;
  return frame;
}
decode::Frame frame_of(Bytes&& bytes, std::uint32_t link_type = decode::link_type::ethernet) = delete;

// Ethernet II, 14 bytes.
inline Bytes ethernet_header(std::uint16_t ethertype) {
  Bytes b = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC 02:00:00:00:00:02
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC 02:00:00:00:00:01
  };
  put16(b, ethertype);  // EtherType
  return b;
}

struct Ipv4Spec {
  std::uint8_t ihl = 5;                       // > 5 adds NOP options
  std::optional<std::uint16_t> total_length{};  // default: header + payload
  std::uint16_t flags_fragment = 0x4000;      // DF, offset 0
  std::uint8_t protocol = 6;                  // TCP
  std::uint16_t identification = 0x1c46;
};

inline Bytes ipv4_packet(const Bytes& payload, const Ipv4Spec& spec = {}) {
  const std::size_t header_len = spec.ihl >= 5 ? spec.ihl * 4u : 20u;
  Bytes b;
  b.push_back(static_cast<std::uint8_t>(0x40 | spec.ihl));  // version 4, IHL
  b.push_back(0x00);                                         // DSCP 0, ECN 0
  put16(b, spec.total_length.value_or(static_cast<std::uint16_t>(header_len + payload.size())));  // total length
  put16(b, spec.identification);                             // identification
  put16(b, spec.flags_fragment);                             // flags, fragment offset
  b.push_back(64);                                           // TTL
  b.push_back(spec.protocol);                                // protocol
  put16(b, 0x0000);                                          // header checksum (not computed)
  b = b + Bytes{192, 0, 2, 1};                               // source 192.0.2.1
  b = b + Bytes{192, 0, 2, 2};                               // destination 192.0.2.2
  while (b.size() < header_len) b.push_back(0x01);           // options: IPv4 NOPs
  return b + payload;
}

struct TcpSpec {
  Bytes options{};                            // a multiple of 4 long, unless data_offset is given
  std::optional<std::uint8_t> data_offset{};  // default: (20 + options) / 4
  std::uint8_t flags = 0x18;                  // PSH + ACK
  Bytes payload{};
};

inline Bytes tcp_segment(const TcpSpec& spec = {}) {
  const auto data_offset = spec.data_offset.value_or(static_cast<std::uint8_t>((20 + spec.options.size()) / 4));
  Bytes b;
  put16(b, 40000);                                            // source port
  put16(b, 80);                                               // destination port
  put32(b, 1000);                                             // sequence number
  put32(b, 2000);                                             // acknowledgment number
  b.push_back(static_cast<std::uint8_t>(data_offset << 4));   // data offset, reserved
  b.push_back(spec.flags);                                    // flags
  put16(b, 512);                                              // window
  put16(b, 0x0000);                                           // checksum (not computed)
  put16(b, 0x0000);                                           // urgent pointer
  return b + spec.options + spec.payload;
}

inline Bytes udp_datagram(const Bytes& payload, std::optional<std::uint16_t> length = {}) {
  Bytes b;
  put16(b, 40000);                                                                 // source port
  put16(b, 53);                                                                    // destination port
  put16(b, length.value_or(static_cast<std::uint16_t>(8 + payload.size())));       // length
  put16(b, 0x0000);                                                                // checksum: none
  return b + payload;
}

// IPv6 fixed header; `rest` is the extension headers and upper layer that follow.
inline Bytes ipv6_packet(std::uint8_t next_header, const Bytes& rest,
                         std::optional<std::uint16_t> payload_length = {}) {
  Bytes b = {
      0x60, 0x00, 0x00, 0x00,  // version 6, traffic class 0, flow label 0
  };
  put16(b, payload_length.value_or(static_cast<std::uint16_t>(rest.size())));  // payload length
  b.push_back(next_header);                                                    // next header
  b.push_back(64);                                                             // hop limit
  b = b + Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};  // source 2001:db8::1
  b = b + Bytes{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02};  // destination 2001:db8::2
  return b + rest;
}

// A generic extension header (hop-by-hop, routing, destination options): 8 * (hdr_ext_len + 1) bytes.
inline Bytes extension_header(std::uint8_t next_header, std::uint8_t hdr_ext_len = 0) {
  Bytes b = {
      next_header,  // next header
      hdr_ext_len,  // header extension length, in 8-byte units after the first 8
  };
  b.push_back(0x01);  // PadN option...
  b.push_back(static_cast<std::uint8_t>(8 * (hdr_ext_len + 1) - 4));  // ...covering the rest
  b.resize(8 * (hdr_ext_len + 1u), 0x00);
  return b;
}

inline Bytes eth_ipv4_tcp(const TcpSpec& tcp = {}, Ipv4Spec ip = {}) {
  ip.protocol = 6;
  return ethernet_header(0x0800) + ipv4_packet(tcp_segment(tcp), ip);
}

// A real Linux SYN on the loopback interface (tcpdump -i lo): Ethernet, IPv4, TCP with Linux's usual
// options. Checksums are correct.
inline const Bytes linux_syn = {
    // Ethernet II (14 bytes)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // destination MAC (lo uses zeros)
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // source MAC
    0x08, 0x00,                          // EtherType IPv4
    // IPv4 (20 bytes, offset 14)
    0x45,                                // version 4, IHL 5 (20 bytes)
    0x00,                                // DSCP 0, ECN 0
    0x00, 0x3c,                          // total length 60
    0x1c, 0x46,                          // identification
    0x40, 0x00,                          // flags DF, fragment offset 0
    0x40,                                // TTL 64
    0x06,                                // protocol TCP
    0x20, 0x74,                          // header checksum
    0x7f, 0x00, 0x00, 0x01,              // source 127.0.0.1
    0x7f, 0x00, 0x00, 0x01,              // destination 127.0.0.1
    // TCP (40 bytes, offset 34)
    0xd4, 0x31,                          // source port 54321
    0x1f, 0x90,                          // destination port 8080
    0x3a, 0xde, 0x68, 0xb1,              // sequence number 0x3ade68b1
    0x00, 0x00, 0x00, 0x00,              // acknowledgment number 0
    0xa0,                                // data offset 10 (40 bytes)
    0x02,                                // flags SYN
    0xff, 0xd7,                          // window 65495
    0x62, 0x38,                          // checksum
    0x00, 0x00,                          // urgent pointer
    0x02, 0x04, 0xff, 0xd7,              // option MSS 65495
    0x04, 0x02,                          // option SACK permitted
    0x08, 0x0a,                          // option timestamps, length 10
    0x1a, 0x2b, 0x3c, 0x4d,              //   TSval
    0x00, 0x00, 0x00, 0x00,              //   TSecr 0
    0x01,                                // option NOP
    0x03, 0x03, 0x07,                    // option window scale 7
};

// UDP over IPv6 on Ethernet: a 3-byte DNS-port datagram with a correct checksum.
inline const Bytes udp_over_ipv6 = {
    // Ethernet II (14 bytes)
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
    0x86, 0xdd,                          // EtherType IPv6
    // IPv6 (40 bytes, offset 14)
    0x60, 0x00, 0x00, 0x00,              // version 6, traffic class 0, flow label 0
    0x00, 0x0b,                          // payload length 11
    0x11,                                // next header UDP
    0x40,                                // hop limit 64
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // source 2001:db8::1
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,  // destination 2001:db8::2
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
    // UDP (8 bytes, offset 54)
    0x9c, 0x40,                          // source port 40000
    0x00, 0x35,                          // destination port 53
    0x00, 0x0b,                          // length 11
    0x95, 0x84,                          // checksum
    // data (offset 62)
    'h', 'i', '\n',
};

// UDP over IPv4 on Ethernet, same data, correct IPv4 header and UDP checksums.
inline const Bytes udp_over_ipv4 = {
    // Ethernet II (14 bytes)
    0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
    0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
    0x08, 0x00,                          // EtherType IPv4
    // IPv4 (20 bytes, offset 14)
    0x45,                                // version 4, IHL 5
    0x00,                                // DSCP 0, ECN 0
    0x00, 0x1f,                          // total length 31
    0x00, 0x01,                          // identification
    0x00, 0x00,                          // no flags, fragment offset 0
    0x40,                                // TTL 64
    0x11,                                // protocol UDP
    0x66, 0xcb,                          // header checksum
    0x0a, 0x00, 0x00, 0x01,              // source 10.0.0.1
    0x0a, 0x00, 0x00, 0x02,              // destination 10.0.0.2
    // UDP (8 bytes, offset 34)
    0x9c, 0x40,                          // source port 40000
    0x00, 0x35,                          // destination port 53
    0x00, 0x0b,                          // length 11
    0xdc, 0xf6,                          // checksum
    // data (offset 42)
    'h', 'i', '\n',
};

}  // namespace lab::test
