#pragma once
// ARP, RFC 826: how a host on an Ethernet finds the MAC address that goes with an IPv4 address. The packet follows
// the Ethernet header (EtherType 0x0806) and names its fields ar$hrd, ar$pro, ar$hln, ar$pln, ar$op, ar$sha, ar$spa,
// ar$tha, ar$tpa; the names below are those, spelled out.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"
#include "capture/decode/ip_address.hpp"
#include "capture/decode/mac_address.hpp"

namespace lab::decode {

// ar$op values (RFC 826; IANA's "ARP Operation Codes" registry lists the others, RARP and InARP among them).
namespace arp_op {
inline constexpr std::uint16_t request = 1;
inline constexpr std::uint16_t reply = 2;
}  // namespace arp_op

// ar$hrd for Ethernet (IANA "Hardware Types").
inline constexpr std::uint16_t arp_hardware_ethernet = 1;

struct ArpHeader {
  // The fixed part, 8 bytes, whatever the kind of ARP.
  std::uint16_t hardware_type = 0;  // ar$hrd: 1 Ethernet
  std::uint16_t protocol_type = 0;  // ar$pro: the EtherType of the protocol resolved; 0x0800 IPv4
  std::uint8_t hardware_len = 0;    // ar$hln: bytes in each hardware address (6 for Ethernet)
  std::uint8_t protocol_len = 0;    // ar$pln: bytes in each protocol address (4 for IPv4)
  std::uint16_t op = 0;             // ar$op: 1 request, 2 reply, anything else kept as it is

  // The four addresses, read only for Ethernet/IPv4 (hardware type 1 with length 6, protocol 0x0800 with length 4).
  bool addresses_read = false;
  MacAddress sender_mac;  // ar$sha: the sender's hardware address
  IpAddress sender_ip;    // ar$spa: the sender's protocol address
  MacAddress target_mac;  // ar$tha: the target's hardware address (in a request, not known yet: usually zero)
  IpAddress target_ip;    // ar$tpa: the target's protocol address (in a request, the address asked about)

  bool is_request() const { return op == arp_op::request; }
  bool is_reply() const { return op == arp_op::reply; }
  // The classifications below are Wireshark's (packet-arp.c: arp.isgratuitous, arp.isprobe, arp.isannouncement),
  // which follow RFC 5227, so that tshark can check them.
  // Gratuitous: a request or a reply whose sender and target IP are the same: it asks nothing, it tells its
  // own mapping (RFC 5227 section 3, RFC 5944 section 4.6).
  bool is_gratuitous() const {
    return addresses_read && (is_request() || is_reply()) && sender_ip == target_ip;
  }
  // ARP Announcement (RFC 5227 section 2.3): a gratuitous request with the target MAC zero.
  bool is_announcement() const { return is_gratuitous() && is_request() && target_mac.is_zero(); }
  // ARP Probe (RFC 5227 section 2.1.1): a request with sender IP 0.0.0.0 and target MAC zero, asking whether
  // anyone already uses the target IP.
  bool is_probe() const {
    return addresses_read && is_request() && !is_gratuitous() && target_mac.is_zero() && is_unspecified(sender_ip);
  }
  static bool is_unspecified(const IpAddress& ip) { return ip.bytes[0] == 0 && ip.bytes[1] == 0 && ip.bytes[2] == 0 && ip.bytes[3] == 0; }
};

struct ArpResult {
  std::optional<ArpHeader> header;   // set once the fixed 8 bytes were read
  std::optional<DecodeError> error;  // cut short; lengths that lie for Ethernet/IPv4; another kind of ARP
};

// `bytes` starts at the ARP header and runs to the end of the captured frame (Ethernet pads a 28-byte ARP packet
// to its 46-byte minimum; the padding is ignored).
ArpResult decode_arp(std::span<const std::uint8_t> bytes);

// "request", "reply", or nullptr for another operation.
const char* arp_op_name(std::uint16_t op);

}  // namespace lab::decode
