#pragma once
// Wireshark's default colouring rules (the `colorfilters` file Wireshark 4.0 ships, Debian 12's), applied to
// the packets lab decodes, so that a line looks in the terminal as its row looks in Wireshark: HTTP light green,
// SYN and FIN grey, RST dark red, bad TCP black with red text. First match wins, in Wireshark's order.
//
// Left out, because lab does not decode what they test: HSRP, Spanning Tree, OSPF, SCTP, SMB/NetBIOS, DCERPC,
// the routing protocols and system events; "Checksum Errors" never matches by default (Wireshark does not verify
// checksums unless asked). "HTTP" is Wireshark's `http || tcp.port == 80`: a packet where an HTTP message became
// whole (Wireshark shows the message there, once reassembled), on any port lab reads HTTP on, plus port 80.
// Later Wireshark renamed the TTL rule "IPv4 TTL low or unexpected", widened its exceptions and added one for IPv6
// hop limits; lab keeps 4.0's set for now (they differ only for packets with a TTL or hop limit under 5, or odd
// multicast ones).
#include <cstdint>

#include "capture/decode/packet.hpp"
#include "capture/flow/observation.hpp"

namespace lab::render {

struct ColoringRule {
  const char* name;         // Wireshark's name for it: what tshark prints as frame.coloring_rule.name
  std::uint8_t background;  // the nearest colours of the 256-colour palette every terminal of the last decades has
  std::uint8_t foreground;
};

// The rule that colours this packet, or null when none of the rules above matches.
const ColoringRule* coloring_rule(const lab::decode::DecodedPacket& packet, const lab::flow::Observation& observation);

}  // namespace lab::render
