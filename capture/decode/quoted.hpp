#pragma once
// The packet an ICMP error quotes: its IP header and the first bytes of its transport header (RFC 792
// quotes at least 8 bytes, RFC 4443 as much as fits). Enough to tell which conversation the error is about.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/ip_address.hpp"

namespace lab::decode {

struct QuotedPacket {
  IpAddress src;
  IpAddress dst;
  std::uint8_t protocol = 0;  // of the quoted packet: 6 TCP, 17 UDP...
  bool has_ports = false;     // the first 4 transport bytes were quoted
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
};

// `bytes`: the ICMP message's data after its 8-byte header. Nothing if no sane IP header is there.
std::optional<QuotedPacket> decode_quoted(std::span<const std::uint8_t> bytes, bool icmpv6);

}  // namespace lab::decode
