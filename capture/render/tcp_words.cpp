#include "capture/render/tcp_words.hpp"

#include "capture/flow/flow_key.hpp"

namespace lab::render {

const char* proto_name(const lab::decode::DecodedPacket& p) {
  if (p.tcp) return "tcp";
  if (p.udp) return "udp";
  if (p.icmp) return p.icmp->v6 ? "icmpv6" : "icmp";
  if (p.has_ip()) return "ip";
  return p.link.protocol == lab::decode::ethertype::arp ? "arp" : "other";
}

void append_address(std::string& out, const lab::decode::DecodedPacket& p, bool source) {
  const lab::decode::IpAddress* ip = source ? p.src_ip() : p.dst_ip();
  if (!ip) return;
  if (p.tcp || p.udp) {
    const std::uint16_t port = p.tcp ? (source ? p.tcp->src_port : p.tcp->dst_port)
                                     : (source ? p.udp->src_port : p.udp->dst_port);
    lab::flow::append_endpoint(out, lab::flow::Endpoint{*ip, port});
    return;
  }
  char text[64];
  out.append(text, lab::decode::format_ip(*ip, text));
}

}  // namespace lab::render
