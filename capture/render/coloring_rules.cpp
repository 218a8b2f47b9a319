#include "capture/render/coloring_rules.hpp"

namespace lab::render {
namespace {

namespace analysis = lab::flow::analysis;
namespace flag = lab::decode::tcp_flag;

// Wireshark's colours (16-bit RGB in its file) and their nearest palette entries, e.g. HTTP's [58596,65535,51143]
// is #e4ffc7, palette 194.
constexpr ColoringRule bad_tcp{"Bad TCP", 235, 210};
constexpr ColoringRule icmp_errors{"ICMP errors", 235, 156};
constexpr ColoringRule arp{"ARP", 230, 235};
constexpr ColoringRule icmp{"ICMP", 225, 235};
constexpr ColoringRule tcp_rst{"TCP RST", 124, 229};
constexpr ColoringRule ttl_low{"TTL low or unexpected", 124, 255};
constexpr ColoringRule http{"HTTP", 194, 235};
constexpr ColoringRule tcp_syn_fin{"TCP SYN/FIN", 247, 235};
constexpr ColoringRule tcp{"TCP", 255, 235};
constexpr ColoringRule udp{"UDP", 195, 235};
constexpr ColoringRule broadcast{"Broadcast", 231, 250};

// tcp.analysis.flags && !tcp.analysis.window_update && !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack
bool bad_tcp_matches(const lab::flow::Observation& o) {
  constexpr std::uint16_t benign = analysis::window_update | analysis::keep_alive | analysis::keep_alive_ack;
  return (o.tcp.analysis.bits & static_cast<std::uint16_t>(~benign)) != 0;
}

// (ip.dst != 224.0.0.0/4 && ip.ttl < 5 && !pim && !ospf) ||
// (ip.dst == 224.0.0.0/24 && ip.dst != 224.0.0.251 && ip.ttl != 1 && !(vrrp || carp))
bool ttl_low_matches(const lab::decode::Ipv4Header& ip) {
  const auto& d = ip.dst.bytes;
  const bool multicast = (d[0] & 0xf0) == 0xe0;
  const bool local_multicast = d[0] == 224 && d[1] == 0 && d[2] == 0;
  constexpr std::uint8_t pim = 103, ospf = 89, vrrp_or_carp = 112;
  if (!multicast && ip.ttl < 5 && ip.protocol != pim && ip.protocol != ospf) return true;
  return local_multicast && d[3] != 251 && ip.ttl != 1 && ip.protocol != vrrp_or_carp;
}

bool http_matches(const lab::decode::DecodedPacket& p, const lab::flow::Observation& o) {
  if (p.tcp->src_port == 80 || p.tcp->dst_port == 80) return true;
  if (o.http.body_end_count > 0) return true;
  for (std::size_t i = 0; i < o.http.head_count; ++i)
    if (o.http.heads[i].body_ends_here) return true;
  return false;
}

}  // namespace

const ColoringRule* coloring_rule(const lab::decode::DecodedPacket& p, const lab::flow::Observation& o) {
  // A fragment as captured is IP and data to Wireshark: its transport shows only in the datagram made whole.
  if (p.is_fragment()) {
    if (p.ipv4 && ttl_low_matches(*p.ipv4)) return &ttl_low;
    if (p.link.has_macs && (p.link.dst_mac().bytes[0] & 1) != 0) return &broadcast;
    return nullptr;
  }
  if (p.tcp && bad_tcp_matches(o)) return &bad_tcp;
  if (p.icmp) {
    const auto type = p.icmp->type;
    const bool error = p.icmp->v6 ? (type >= 1 && type <= 4) : ((type >= 3 && type <= 5) || type == 11);
    if (error) return &icmp_errors;
  }
  // Wireshark's `arp` covers RARP too (EtherType 0x8035), which lab does not decode further.
  constexpr std::uint16_t rarp = 0x8035;
  if ((p.link.protocol == lab::decode::ethertype::arp || p.link.protocol == rarp) && !p.has_ip()) return &arp;
  if (p.icmp) return &icmp;
  if (p.tcp && p.tcp->has(flag::rst)) return &tcp_rst;
  if (p.ipv4 && ttl_low_matches(*p.ipv4)) return &ttl_low;
  if (p.tcp && http_matches(p, o)) return &http;
  if (p.tcp && (p.tcp->has(flag::syn) || p.tcp->has(flag::fin))) return &tcp_syn_fin;
  if (p.tcp) return &tcp;
  if (p.udp) return &udp;
  if (p.link.has_macs && (p.link.dst_mac().bytes[0] & 1) != 0) return &broadcast;
  return nullptr;
}

}  // namespace lab::render
