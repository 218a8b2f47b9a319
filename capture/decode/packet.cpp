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

}  // namespace

DecodedPacket decode_packet(const Frame& frame) {
  DecodedPacket packet;

  const LinkResult link = decode_link(frame.link_type, frame.bytes);
  packet.link = link.info;
  if (link.error) {
    packet.error = link.error;
    return packet;
  }

  // Network layer. What the transport decoder needs from it: where the transport header starts, its
  // captured bytes, its declared length and the protocol number.
  std::size_t offset = link.info.header_len;
  const auto network = frame.bytes.subspan(offset);
  std::span<const std::uint8_t> ip_payload;
  std::uint32_t ip_payload_len = 0;
  std::uint8_t protocol = 0;
  if (link.info.protocol == ethertype::ipv4) {
    const Ipv4Result ip = decode_ipv4(network);
    packet.ipv4 = ip.header;
    if (ip.error) {
      packet.error = in_frame(*ip.error, offset);
      return packet;
    }
    offset += ip.header->header_len;
    ip_payload = ip.payload;
    ip_payload_len = ip.payload_len;
    protocol = ip.header->protocol;
  } else if (link.info.protocol == ethertype::ipv6) {
    const Ipv6Result ip = decode_ipv6(network);
    packet.ipv6 = ip.header;
    if (ip.error) {
      packet.error = in_frame(*ip.error, offset);
      return packet;
    }
    offset += ip.header->header_len;
    ip_payload = ip.payload;
    ip_payload_len = ip.payload_len;
    protocol = ip.header->protocol;
  } else {
    return packet;  // ARP, LLDP, an 802.3 frame...: nothing more to decode here, and nothing wrong
  }

  // A later fragment carries the middle of a datagram: its first bytes are data, not a transport header.
  if (packet.is_later_fragment()) return packet;

  switch (protocol) {
    case ip_protocol::tcp: {
      const TcpResult tcp = decode_tcp(ip_payload, ip_payload_len);
      packet.tcp = tcp.header;
      packet.payload = tcp.payload;
      packet.payload_len = tcp.payload_len;
      if (tcp.error) packet.error = in_frame(*tcp.error, offset);
      break;
    }
    case ip_protocol::udp: {
      const UdpResult udp = decode_udp(ip_payload, ip_payload_len);
      packet.udp = udp.header;
      packet.payload = udp.payload;
      packet.payload_len = udp.payload_len;
      if (udp.error) packet.error = in_frame(*udp.error, offset);
      // A sound UDP length is the datagram's real length (IP may carry padding after it), and the one the
      // checksum covers.
      if (udp.header && !udp.error) {
        ip_payload_len = udp.header->length;
        ip_payload = ip_payload.first(std::min<std::size_t>(ip_payload.size(), udp.header->length));
      }
      break;
    }
    case ip_protocol::icmp:
    case ip_protocol::icmpv6: {
      const IcmpResult icmp = protocol == ip_protocol::icmp ? decode_icmp(ip_payload, ip_payload_len)
                                                            : decode_icmpv6(ip_payload, ip_payload_len);
      packet.icmp = icmp.header;
      packet.payload = icmp.payload;
      packet.payload_len = icmp.payload_len;
      if (icmp.error) packet.error = in_frame(*icmp.error, offset);
      break;
    }
    default:
      return packet;  // ESP, GRE, SCTP...: not decoded, not an error
  }
  packet.transport = ip_payload;
  packet.transport_len = ip_payload_len;
  return packet;
}

}  // namespace lab::decode
