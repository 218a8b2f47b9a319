// ARP, RFC 826 ("An Ethernet Address Resolution Protocol"), as it follows an Ethernet header with EtherType 0x0806:
//
//   | ar$hrd: hardware type (2)       | ar$pro: protocol type (2)       |
//   | ar$hln (1)     | ar$pln (1)     | ar$op: operation (2)            |
//   | ar$sha: sender hardware address (ar$hln bytes)                    |
//   | ar$spa: sender protocol address (ar$pln bytes)                    |
//   | ar$tha: target hardware address (ar$hln bytes)                    |
//   | ar$tpa: target protocol address (ar$pln bytes)                    |
//
// The two lengths make ARP work for any pair of address kinds; this decoder reads the addresses of the one pair a
// student meets, Ethernet (6-byte MACs) and IPv4 (4-byte addresses): 28 bytes in all.
#include "capture/decode/arp.hpp"

#include "capture/decode/byte_reader.hpp"
#include "capture/decode/link.hpp"

namespace lab::decode {
namespace {

constexpr std::size_t fixed_len = 8;
constexpr std::uint8_t ethernet_address_len = 6;
constexpr std::uint8_t ipv4_address_len = 4;
constexpr std::size_t ethernet_ipv4_len = fixed_len + 2 * (ethernet_address_len + ipv4_address_len);  // 28

}  // namespace

ArpResult decode_arp(std::span<const std::uint8_t> bytes) {
  ArpResult result;
  ByteReader reader(bytes);
  ArpHeader h;
  h.hardware_type = reader.be16();  // ar$hrd
  h.protocol_type = reader.be16();  // ar$pro
  h.hardware_len = reader.u8();     // ar$hln
  h.protocol_len = reader.u8();     // ar$pln
  h.op = reader.be16();             // ar$op
  if (!reader.ok()) {
    result.error = decode_error(Layer::arp, ErrorKind::truncated, fixed_len, bytes.size(), "ARP header cut short by the capture");
    return result;
  }
  result.header = h;

  // Another pair of address kinds (IEEE 802 networks, Frame Relay, IPv6-era experiments...): the fixed part is
  // kept, the addresses are not read, since their meaning depends on the kinds.
  if (h.hardware_type != arp_hardware_ethernet || h.protocol_type != ethertype::ipv4) {
    const std::size_t declared = fixed_len + 2 * (std::size_t{h.hardware_len} + h.protocol_len);
    result.error = decode_error(Layer::arp, ErrorKind::unsupported, declared, bytes.size(),
                                "an ARP packet for other address kinds than Ethernet (hardware type 1) and IPv4 "
                                "(protocol type 0x0800), whose addresses lab does not read");
    return result;
  }
  // For Ethernet and IPv4 the lengths are fixed by the kinds: any other value is the header lying.
  if (h.hardware_len != ethernet_address_len) {
    result.error = decode_error(Layer::arp, ErrorKind::invalid, ethernet_ipv4_len, bytes.size(),
                                "ARP hardware address length (ar$hln) is not 6, the length of an Ethernet address");
    return result;
  }
  if (h.protocol_len != ipv4_address_len) {
    result.error = decode_error(Layer::arp, ErrorKind::invalid, ethernet_ipv4_len, bytes.size(),
                                "ARP protocol address length (ar$pln) is not 4, the length of an IPv4 address");
    return result;
  }

  const auto sha = reader.take(ethernet_address_len);  // ar$sha
  const auto spa = reader.take(ipv4_address_len);      // ar$spa
  const auto tha = reader.take(ethernet_address_len);  // ar$tha
  const auto tpa = reader.take(ipv4_address_len);      // ar$tpa
  if (!reader.ok()) {
    result.error = decode_error(Layer::arp, ErrorKind::truncated, ethernet_ipv4_len, bytes.size(),
                                "ARP addresses cut short by the capture");
    return result;
  }
  h.sender_mac = MacAddress::of(sha.first<6>());
  h.sender_ip = IpAddress::v4(spa.first<4>());
  h.target_mac = MacAddress::of(tha.first<6>());
  h.target_ip = IpAddress::v4(tpa.first<4>());
  h.addresses_read = true;
  result.header = h;
  return result;
}

const char* arp_op_name(std::uint16_t op) {
  switch (op) {
    case arp_op::request: return "request";
    case arp_op::reply: return "reply";
    default: return nullptr;
  }
}

}  // namespace lab::decode
