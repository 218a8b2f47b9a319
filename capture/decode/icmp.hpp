#pragma once
// ICMP (RFC 792) and ICMPv6 (RFC 4443): type, code, checksum and the 4 bytes that follow; for error
// messages (destination unreachable, time exceeded...) the quoted IP header + first 8 bytes of the original.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"

namespace lab::decode {

struct IcmpHeader {
  bool v6 = false;           // ICMPv6 rather than ICMP
  std::uint8_t type = 0;
  std::uint8_t code = 0;
  std::uint16_t checksum = 0;
  std::uint16_t identifier = 0;  // echo request/reply
  std::uint16_t sequence = 0;    // echo request/reply
  bool is_error = false;         // an error message that quotes the offending packet
};

struct IcmpResult {
  std::optional<IcmpHeader> header;
  std::span<const std::uint8_t> payload;  // echo data, or the quoted packet of an error message
  std::uint32_t payload_len = 0;
  std::optional<DecodeError> error;
};

IcmpResult decode_icmp(std::span<const std::uint8_t> bytes, std::uint32_t message_len);
IcmpResult decode_icmpv6(std::span<const std::uint8_t> bytes, std::uint32_t message_len);

}  // namespace lab::decode
