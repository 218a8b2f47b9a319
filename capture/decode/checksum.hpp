#pragma once
// The Internet checksum (RFC 1071) and its use by IPv4, TCP, UDP and ICMP/ICMPv6.
#include <cstdint>
#include <span>

#include "capture/decode/packet.hpp"

namespace lab::decode {

enum class ChecksumStatus : std::uint8_t {
  unknown,  // not every byte was captured, or nothing to check
  good,
  bad,      // often checksum offload: the capture saw the packet before the NIC (or never) filled it in
  absent,   // UDP over IPv4 with checksum 0: the sender chose not to compute one
};

// One's-complement sum of 16-bit big-endian words, folded (not inverted); `initial` chains partial sums.
std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0);

ChecksumStatus ipv4_header_checksum(const DecodedPacket& packet, std::span<const std::uint8_t> ip_header);
// TCP, UDP or ICMP(v6) checksum of the packet's transport bytes with the IP pseudo-header where it applies.
ChecksumStatus transport_checksum(const DecodedPacket& packet);

}  // namespace lab::decode
