#include "capture/decode/quoted.hpp"

#include "capture/decode/byte_reader.hpp"
#include "capture/decode/ipv4.hpp"
#include "capture/decode/ipv6.hpp"

namespace lab::decode {

std::optional<QuotedPacket> decode_quoted(std::span<const std::uint8_t> bytes, bool icmpv6) {
  // The quote is cut on purpose, so a "truncated" verdict on the quoted IP packet is expected: only the
  // header itself must be whole.
  QuotedPacket quoted;
  std::span<const std::uint8_t> transport;
  if (icmpv6) {
    const Ipv6Result ip = decode_ipv6(bytes);
    if (!ip.header) return std::nullopt;
    quoted.src = ip.header->src;
    quoted.dst = ip.header->dst;
    quoted.protocol = ip.header->protocol;
    transport = ip.payload;
  } else {
    const Ipv4Result ip = decode_ipv4(bytes);
    if (!ip.header) return std::nullopt;
    quoted.src = ip.header->src;
    quoted.dst = ip.header->dst;
    quoted.protocol = ip.header->protocol;
    if (ip.header->fragment_offset != 0) return quoted;  // a later fragment quotes no ports
    transport = ip.payload;
  }
  ByteReader reader(transport);
  quoted.src_port = reader.be16();
  quoted.dst_port = reader.be16();
  quoted.has_ports = reader.ok();
  return quoted;
}

}  // namespace lab::decode
