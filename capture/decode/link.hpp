#pragma once
// Link layers: how the frame's first bytes say which network protocol follows.
// Ethernet II (with 802.1Q/802.1ad VLAN tags), BSD loopback (NULL, LOOP), Linux cooked v1/v2 (SLL, SLL2)
// and raw IP (RAW, IPV4, IPV6).
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"
#include "capture/decode/mac_address.hpp"

namespace lab::decode {

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t vlan = 0x8100;   // 802.1Q
inline constexpr std::uint16_t qinq = 0x88A8;   // 802.1ad
inline constexpr std::uint16_t ipv6 = 0x86DD;
}  // namespace ethertype

enum class LinkKind : std::uint8_t { ethernet, bsd_loopback, linux_sll, linux_sll2, raw_ip, unsupported };

struct LinkInfo {
  LinkKind kind = LinkKind::unsupported;
  std::uint32_t header_len = 0;       // bytes before the network header
  std::uint16_t protocol = 0;         // an ethertype: what the link says follows (BSD AF values are mapped)
  std::uint8_t vlan_count = 0;        // 802.1Q / 802.1ad tags walked
  std::uint16_t vlan_ids[2] = {0, 0}; // the first two VLAN ids
  std::uint16_t sll_packet_type = 0;  // SLL/SLL2: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us
  std::uint8_t mac_src[6] = {};       // Ethernet only (has_macs)
  std::uint8_t mac_dst[6] = {};       // Ethernet only (has_macs)
  // The frame's source and destination MACs were read (an Ethernet header of at least 14 bytes). Linux cooked,
  // loopback and raw IP headers have no destination MAC, so for them both stay unknown.
  bool has_macs = false;

  MacAddress src_mac() const { return MacAddress::of(std::span<const std::uint8_t, 6>(mac_src)); }
  MacAddress dst_mac() const { return MacAddress::of(std::span<const std::uint8_t, 6>(mac_dst)); }
};

struct LinkResult {
  LinkInfo info;
  std::optional<DecodeError> error;   // truncated header, or unsupported link type
};

// Decode the link header of a frame of the given link type (frame.hpp: link_type::*).
// Raw IP sets `protocol` from the IP version nibble (0 when there is no byte to read).
LinkResult decode_link(std::uint32_t link_type, std::span<const std::uint8_t> frame);

// "Ethernet", "Linux cooked (SLL2)", ... for a link type value; nullptr if not supported.
const char* link_type_name(std::uint32_t link_type);

}  // namespace lab::decode
