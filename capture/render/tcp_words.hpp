#pragma once
// Names shared by the renderers.
#include <cstdint>
#include <string>

#include "capture/decode/packet.hpp"

namespace lab::render {

// The set flags in Wireshark's order and spelling: SYN, ACK, PSH, FIN, RST, URG, ECE, CWR.
// `each` is called with every set flag's name.
template <typename F>
void for_each_flag(std::uint8_t flags, F each) {
  namespace flag = lab::decode::tcp_flag;
  static constexpr struct { std::uint8_t bit; const char* name; } names[] = {
      {flag::syn, "SYN"}, {flag::ack, "ACK"}, {flag::psh, "PSH"}, {flag::fin, "FIN"},
      {flag::rst, "RST"}, {flag::urg, "URG"}, {flag::ece, "ECE"}, {flag::cwr, "CWR"}};
  for (const auto& n : names)
    if (flags & n.bit) each(n.name);
}

// "tcp", "udp", "icmp", "icmpv6", "arp", or "ip"/"other" for what has no transport we decode.
const char* proto_name(const lab::decode::DecodedPacket& packet);

// "127.0.0.1:48258" for TCP/UDP, the bare address otherwise; empty without IP.
void append_address(std::string& out, const lab::decode::DecodedPacket& packet, bool source);

}  // namespace lab::render
