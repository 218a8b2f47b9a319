#pragma once
// A whole frame decoded layer by layer: link -> ARP, or IPv4/IPv6 -> TCP/UDP/ICMP. A value with no heap memory:
// every layer decoded before a fault is kept, and the fault is recorded in `error`.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/arp.hpp"
#include "capture/decode/error.hpp"
#include "capture/decode/frame.hpp"
#include "capture/decode/icmp.hpp"
#include "capture/decode/ipv4.hpp"
#include "capture/decode/ipv6.hpp"
#include "capture/decode/link.hpp"
#include "capture/decode/tcp.hpp"
#include "capture/decode/udp.hpp"

namespace lab::decode {

namespace ip_protocol {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t icmpv6 = 58;
}  // namespace ip_protocol

struct DecodedPacket {
  LinkInfo link;
  std::optional<ArpHeader> arp;            // an ARP packet (EtherType 0x0806) instead of IP
  std::optional<Ipv4Header> ipv4;
  std::optional<Ipv6Header> ipv6;
  std::optional<TcpHeader> tcp;
  std::optional<UdpHeader> udp;
  std::optional<IcmpHeader> icmp;          // ICMP or ICMPv6 (icmp->v6 tells)

  std::span<const std::uint8_t> transport;  // the captured transport header + payload (for checksums)
  std::uint32_t transport_len = 0;          // its declared length (header + payload)
  std::span<const std::uint8_t> payload;    // captured application bytes (or ICMP data)
  std::uint32_t payload_len = 0;            // declared application length: what TCP sequence numbers count

  std::optional<DecodeError> error;         // the first fault, if any

  // An IP fragment's share of its datagram's payload: the bytes after the IPv4 header, or after the IPv6
  // Fragment header (RFC 8200 4.5: the fragmentable part). Empty for a packet that is no fragment.
  std::span<const std::uint8_t> fragment_data;  // as captured
  std::uint32_t fragment_data_len = 0;          // as the IP header declares it
  // Decoded from a datagram reassembled from fragments (decode_reassembled): the transport layer covers the whole,
  // the link and IP headers are those of the fragment that completed it.
  bool reassembled = false;

  bool has_ip() const { return ipv4 || ipv6; }
  const IpAddress* src_ip() const { return ipv4 ? &ipv4->src : ipv6 ? &ipv6->src : nullptr; }
  const IpAddress* dst_ip() const { return ipv4 ? &ipv4->dst : ipv6 ? &ipv6->dst : nullptr; }
  // True for a non-first IP fragment: its transport header lives in the first fragment.
  bool is_later_fragment() const {
    return (ipv4 && ipv4->fragment_offset != 0) || (ipv6 && ipv6->is_fragment && ipv6->fragment_offset != 0);
  }
  // True for any IP fragment as captured (not for a reassembled datagram).
  bool is_fragment() const { return !reassembled && ((ipv4 && ipv4->is_fragment()) || (ipv6 && ipv6->is_fragment)); }
  // The fragment's offset in its datagram's payload, in bytes; its identification.
  std::uint32_t fragment_offset_bytes() const {
    return ipv4 ? ipv4->fragment_offset * 8u : ipv6 ? ipv6->fragment_offset * 8u : 0u;
  }
  std::uint32_t fragment_id() const { return ipv4 ? ipv4->identification : ipv6 ? ipv6->fragment_id : 0u; }
  bool more_fragments() const { return ipv4 ? ipv4->more_fragments : ipv6 && ipv6->more_fragments; }
};

// Decode every layer the frame holds. Never throws, never reads outside frame.bytes.
DecodedPacket decode_packet(const Frame& frame);

// The datagram IP reassembled: `last` is the decoded fragment that completed it, `payload` the whole payload in
// order (what each fragment's fragment_data held). The transport header is decoded over the whole, so a UDP length
// is checked against the datagram. The result's spans point into `payload` and `last`'s frame; error offsets
// count from the start of `payload`.
DecodedPacket decode_reassembled(const DecodedPacket& last, std::span<const std::uint8_t> payload);

}  // namespace lab::decode
