// The Internet checksum, RFC 1071: add the data as 16-bit big-endian words in one's-complement arithmetic
// (carries wrap around into the low bit). The sender stores the complement of that sum, so summing the
// data *with* its checksum field gives 0xFFFF when nothing changed on the way.
#include "capture/decode/checksum.hpp"

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

ChecksumStatus verdict(std::uint32_t sum) { return sum == 0xFFFF ? ChecksumStatus::good : ChecksumStatus::bad; }

// TCP, UDP and ICMPv6 also cover a "pseudo-header" of IP fields, so that a segment delivered to the wrong
// address or protocol fails its check. RFC 9293 3.1 (IPv4) and RFC 8200 8.1 (IPv6).
std::uint32_t pseudo_header_sum(const DecodedPacket& packet, std::uint32_t transport_len) {
  std::uint32_t sum = 0;
  if (packet.ipv4) {
    // source (4), destination (4), zero (1), protocol (1), TCP/UDP length (2)
    sum = ones_complement_sum(std::span(packet.ipv4->src.bytes).first(4));
    sum = ones_complement_sum(std::span(packet.ipv4->dst.bytes).first(4), sum);
    sum += packet.ipv4->protocol;
  } else {
    // source (16), destination (16), upper-layer length (4), zero (3), next header (1). With a Routing
    // header the destination here should be the final one; we use the header's and may say "bad".
    sum = ones_complement_sum(packet.ipv6->src.bytes);
    sum = ones_complement_sum(packet.ipv6->dst.bytes, sum);
    sum += packet.ipv6->protocol;
  }
  sum += (transport_len >> 16) + (transport_len & 0xFFFF);
  return sum;
}

}  // namespace

std::uint32_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial) {
  std::uint64_t sum = initial;  // 64 bits: no carry is lost before the fold below
  ByteReader reader(bytes);
  while (reader.remaining() >= 2) sum += reader.be16();
  if (reader.remaining() == 1) sum += std::uint32_t{reader.u8()} << 8;  // odd length: pad with a zero byte
  while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);          // fold the carries back in
  return static_cast<std::uint32_t>(sum);
}

ChecksumStatus ipv4_header_checksum(const DecodedPacket& packet, std::span<const std::uint8_t> ip_header) {
  // The IPv4 checksum covers the header only (options included), never the payload.
  if (!packet.ipv4 || ip_header.size() < packet.ipv4->header_len) return ChecksumStatus::unknown;
  return verdict(ones_complement_sum(ip_header.first(packet.ipv4->header_len)));
}

ChecksumStatus transport_checksum(const DecodedPacket& packet) {
  if (!packet.has_ip() || !(packet.tcp || packet.udp || packet.icmp)) return ChecksumStatus::unknown;
  // A fragment holds only part of what the checksum covers (a reassembled datagram holds all of it).
  if (packet.is_fragment()) return ChecksumStatus::unknown;
  // Every byte the checksum covers must have been captured.
  if (packet.transport_len == 0 || packet.transport.size() < packet.transport_len) return ChecksumStatus::unknown;
  // RFC 768: over IPv4 a zero UDP checksum means "not computed". (Over IPv6 it is mandatory, so 0 is bad.)
  if (packet.udp && packet.ipv4 && packet.udp->checksum == 0) return ChecksumStatus::absent;

  const auto covered = packet.transport.first(packet.transport_len);
  // ICMP for IPv4 has no pseudo-header (RFC 792); TCP, UDP and ICMPv6 have one.
  const bool plain_icmp = packet.icmp && !packet.icmp->v6;
  const std::uint32_t initial = plain_icmp ? 0 : pseudo_header_sum(packet, packet.transport_len);
  return verdict(ones_complement_sum(covered, initial));
}

}  // namespace lab::decode
