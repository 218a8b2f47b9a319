#pragma once
// IPv4 header, RFC 791 section 3.1.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"
#include "capture/decode/ip_address.hpp"

namespace lab::decode {

struct Ipv4Header {
  std::uint8_t ihl = 0;                // header length in 32-bit words (5..15)
  std::uint8_t tos = 0;                // DSCP (6 bits) + ECN (2 bits)
  std::uint16_t total_length = 0;      // header + payload, as declared (0 is accepted: TSO captures)
  std::uint16_t identification = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;   // in 8-byte units
  std::uint8_t ttl = 0;
  std::uint8_t protocol = 0;           // 6 TCP, 17 UDP, 1 ICMP
  std::uint16_t checksum = 0;
  IpAddress src;
  IpAddress dst;
  std::uint32_t header_len = 0;        // ihl * 4
  std::span<const std::uint8_t> options;

  bool is_fragment() const { return more_fragments || fragment_offset != 0; }
};

struct Ipv4Result {
  std::optional<Ipv4Header> header;     // set when the fixed 20 bytes and a sane IHL were read
  std::span<const std::uint8_t> payload;  // captured payload, clamped to total_length
  std::uint32_t payload_len = 0;        // payload length as the header declares it (total_length - header_len),
                                        // or what was captured when total_length is 0 (TSO)
  std::optional<DecodeError> error;
};

// `bytes` starts at the IPv4 header and runs to the end of the captured frame.
Ipv4Result decode_ipv4(std::span<const std::uint8_t> bytes);

}  // namespace lab::decode
