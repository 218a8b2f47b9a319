// A frame decoded layer by layer. Each decoder reports offsets from the start of its own header; this file
// knows where each header sits in the frame and turns them into frame offsets.
#include "capture/decode/packet.hpp"

#include <algorithm>

namespace lab::decode {
namespace {

DecodeError in_frame(DecodeError error, std::size_t layer_start) {
  error.offset += static_cast<std::uint32_t>(layer_start);
  return error;
}

// What the transport decoder needs from the network layer: the captured bytes after the IP header(s), their
// declared length and the protocol number.
struct IpPayload {
  std::span<const std::uint8_t> bytes;
  std::uint32_t declared_len = 0;
  std::uint8_t protocol = 0;
};

// IPv4 and IPv6 results have the same shape: keep the header, stop at a fault, else say what follows.
template <typename IpResult, typename IpHeader>
bool take_ip(const IpResult& ip, std::optional<IpHeader>& header, DecodedPacket& packet, std::size_t& offset,
             IpPayload& next) {
  header = ip.header;
  if (ip.error) {
    packet.error = in_frame(*ip.error, offset);
    return false;
  }
  offset += ip.header->header_len;
  next = {ip.payload, ip.payload_len, ip.header->protocol};
  return true;
}

// The transport layer over `ip` (the bytes after the IP header(s)); `offset` is where they start in the frame.
void decode_transport(DecodedPacket& packet, IpPayload ip, std::size_t offset, bool first_fragment) {
  switch (ip.protocol) {
    case ip_protocol::tcp: {
      const TcpResult tcp = decode_tcp(ip.bytes, ip.declared_len);
      packet.tcp = tcp.header;
      packet.payload = tcp.payload;
      packet.payload_len = tcp.payload_len;
      if (tcp.error) packet.error = in_frame(*tcp.error, offset);
      break;
    }
    case ip_protocol::udp: {
      const UdpResult udp = decode_udp(ip.bytes, ip.declared_len, first_fragment);
      packet.udp = udp.header;
      packet.payload = udp.payload;
      packet.payload_len = udp.payload_len;
      if (udp.error) packet.error = in_frame(*udp.error, offset);
      // A sound UDP length is the datagram's real length (IP may carry padding after it), and the one the
      // checksum covers.
      if (udp.header && !udp.error && !first_fragment) {
        ip.declared_len = udp.header->length;
        ip.bytes = ip.bytes.first(std::min<std::size_t>(ip.bytes.size(), udp.header->length));
      }
      break;
    }
    case ip_protocol::icmp:
    case ip_protocol::icmpv6: {
      const IcmpResult icmp = ip.protocol == ip_protocol::icmp ? decode_icmp(ip.bytes, ip.declared_len)
                                                               : decode_icmpv6(ip.bytes, ip.declared_len);
      packet.icmp = icmp.header;
      packet.payload = icmp.payload;
      packet.payload_len = icmp.payload_len;
      if (icmp.error) packet.error = in_frame(*icmp.error, offset);
      break;
    }
    default:
      return;  // ESP, GRE, SCTP...: not decoded, not an error
  }
  packet.transport = ip.bytes;
  packet.transport_len = ip.declared_len;
}

// A fragment's share of its datagram: after the IPv4 header, or after the IPv6 Fragment header (extension headers
// that follow it in a first fragment belong to the datagram's fragmentable part).
void take_fragment_data(DecodedPacket& packet, std::span<const std::uint8_t> network, const IpPayload& ip) {
  if (packet.ipv4) {
    packet.fragment_data = ip.bytes;
    packet.fragment_data_len = ip.declared_len;
    return;
  }
  const std::size_t start = packet.ipv6->fragment_data_start;
  const std::size_t header_len = packet.ipv6->header_len;
  packet.fragment_data = network.subspan(start, header_len + ip.bytes.size() - start);
  packet.fragment_data_len = static_cast<std::uint32_t>(header_len + ip.declared_len - start);
}

}  // namespace

DecodedPacket decode_packet(const Frame& frame) {
  DecodedPacket packet;

  const LinkResult link = decode_link(frame.link_type, frame.bytes);
  packet.link = link.info;
  if (link.error) {
    packet.error = link.error;
    return packet;
  }

  // Network layer.
  std::size_t offset = link.info.header_len;
  const auto network = frame.bytes.subspan(offset);
  IpPayload ip;
  if (link.info.protocol == ethertype::ipv4) {
    if (!take_ip(decode_ipv4(network), packet.ipv4, packet, offset, ip)) return packet;
  } else if (link.info.protocol == ethertype::ipv6) {
    if (!take_ip(decode_ipv6(network), packet.ipv6, packet, offset, ip)) return packet;
  } else if (link.info.protocol == ethertype::arp) {
    const ArpResult arp = decode_arp(network);
    packet.arp = arp.header;
    if (arp.error) packet.error = in_frame(*arp.error, offset);
    return packet;
  } else {
    return packet;  // LLDP, an 802.3 frame...: nothing more to decode here, and nothing wrong
  }
  if (packet.is_fragment()) take_fragment_data(packet, network, ip);

  // A later fragment carries the middle of a datagram: its first bytes are data, not a transport header.
  if (packet.is_later_fragment()) return packet;
  decode_transport(packet, ip, offset, packet.is_fragment());
  return packet;
}

DecodedPacket decode_reassembled(const DecodedPacket& last, std::span<const std::uint8_t> payload) {
  DecodedPacket packet;
  packet.link = last.link;
  packet.ipv4 = last.ipv4;
  packet.ipv6 = last.ipv6;
  packet.reassembled = true;
  if (!packet.has_ip()) return packet;
  const auto length = static_cast<std::uint32_t>(payload.size());
  const std::uint8_t protocol = packet.ipv4 ? packet.ipv4->protocol : packet.ipv6->fragment_next_header;
  // The transport protocol of the whole, as the fragments' headers name it (for IPv6, the Fragment header's).
  if (packet.ipv6) packet.ipv6->protocol = protocol;
  decode_transport(packet, {payload, length, protocol}, 0, false);
  return packet;
}

}  // namespace lab::decode
