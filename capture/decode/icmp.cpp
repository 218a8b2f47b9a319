// ICMP (RFC 792) and ICMPv6 (RFC 4443 section 2.1) share the first 8 bytes:
//
//   |     Type      |     Code      |          Checksum             |
//   |   Identifier (echo)           |   Sequence Number (echo)      |   (other types: type-specific)
//
// Error messages (unreachable, time exceeded...) then quote the start of the packet that caused them.
#include "capture/decode/icmp.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

constexpr std::uint32_t header_len = 8;

// ICMP errors: destination unreachable (3), source quench (4), redirect (5), time exceeded (11),
// parameter problem (12). Echo reply (0) and request (8) carry identifier and sequence.
bool is_icmpv4_error(std::uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }
bool is_icmpv4_echo(std::uint8_t type) { return type == 0 || type == 8; }
// ICMPv6 types below 128 are errors (RFC 4443 2.1); echo request is 128, reply 129.
bool is_icmpv6_error(std::uint8_t type) { return type < 128; }
bool is_icmpv6_echo(std::uint8_t type) { return type == 128 || type == 129; }

IcmpResult decode(std::span<const std::uint8_t> bytes, std::uint32_t message_len, bool v6) {
  IcmpResult result;
  const Layer layer = v6 ? Layer::icmpv6 : Layer::icmp;
  bytes = bytes.first(std::min<std::size_t>(bytes.size(), message_len));
  const std::size_t captured = bytes.size();

  if (message_len < header_len) {
    result.error = decode_error(layer, ErrorKind::invalid, header_len, message_len, "IP payload too short to hold an ICMP header");
    return result;
  }

  ByteReader reader(bytes);
  IcmpHeader h;
  h.v6 = v6;
  h.type = reader.u8();
  h.code = reader.u8();
  h.checksum = reader.be16();
  const std::uint16_t word1 = reader.be16();
  const std::uint16_t word2 = reader.be16();
  if (!reader.ok()) {
    result.error = decode_error(layer, ErrorKind::truncated, header_len, captured,
                         v6 ? "ICMPv6 header cut short by the capture" : "ICMP header cut short by the capture");
    return result;
  }
  if (v6 ? is_icmpv6_echo(h.type) : is_icmpv4_echo(h.type)) {
    h.identifier = word1;
    h.sequence = word2;
  }
  h.is_error = v6 ? is_icmpv6_error(h.type) : is_icmpv4_error(h.type);
  result.header = h;
  result.payload_len = message_len - header_len;
  result.payload = reader.rest();
  return result;
}

}  // namespace

IcmpResult decode_icmp(std::span<const std::uint8_t> bytes, std::uint32_t message_len) {
  return decode(bytes, message_len, false);
}

IcmpResult decode_icmpv6(std::span<const std::uint8_t> bytes, std::uint32_t message_len) {
  return decode(bytes, message_len, true);
}

}  // namespace lab::decode
