// Link layers: read just enough of the frame's first bytes to know where the network header starts and
// which protocol it is. See https://www.tcpdump.org/linktypes.html for every layout below.
#include "capture/decode/link.hpp"

#include "capture/decode/byte_reader.hpp"
#include "capture/decode/frame.hpp"

namespace lab::decode {
namespace {

// BSD address families as NULL/LOOP headers carry them. AF_INET is 2 everywhere; AF_INET6 differs per
// system: 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS), 10 (Linux).
std::uint16_t ethertype_of_address_family(std::uint32_t family) {
  switch (family) {
    case 2: return ethertype::ipv4;
    case 10:
    case 24:
    case 28:
    case 30: return ethertype::ipv6;
    default: return 0;  // something else (IPX, OSI...): not an error, just nothing we decode
  }
}

// Ethernet II: destination MAC (6), source MAC (6), EtherType (2), then zero or more 4-byte VLAN tags,
// each a TCI (priority 3 bits, DEI 1 bit, VLAN id 12 bits) followed by the next EtherType.
LinkResult decode_ethernet(std::span<const std::uint8_t> frame) {
  LinkResult result;
  LinkInfo& info = result.info;
  info.kind = LinkKind::ethernet;
  ByteReader reader(frame);
  const auto dst = reader.take(6);
  const auto src = reader.take(6);
  std::uint16_t type = reader.be16();
  if (!reader.ok()) {
    result.error = decode_error(Layer::link, ErrorKind::truncated, 14, frame.size(), "Ethernet header cut short by the capture");
    return result;
  }
  for (int i = 0; i < 6; ++i) {
    info.mac_dst[i] = dst[i];
    info.mac_src[i] = src[i];
  }
  info.has_macs = true;

  // Each tag is 4 bytes, so the walk ends when the bytes do; no fixed limit is needed.
  while (type == ethertype::vlan || type == ethertype::qinq) {
    const std::uint16_t tci = reader.be16();
    type = reader.be16();
    if (!reader.ok()) {
      const std::size_t needed = 14 + 4 * (std::size_t{info.vlan_count} + 1);
      result.error = decode_error(Layer::link, ErrorKind::truncated, needed, frame.size(), "VLAN tag cut short by the capture");
      return result;
    }
    if (info.vlan_count < 2) info.vlan_ids[info.vlan_count] = tci & 0x0FFF;
    if (info.vlan_count < 255) ++info.vlan_count;
  }
  info.header_len = static_cast<std::uint32_t>(reader.position());
  // Below 0x0600 the field is an IEEE 802.3 length, not an EtherType: an LLC frame (STP, ...), which this
  // tool does not decode. protocol stays 0 ("nothing we know"), which is not an error.
  info.protocol = type >= 0x0600 ? type : 0;
  return result;
}

// NULL (DLT_NULL): a 4-byte address family in the byte order of the machine that captured, which may not be
// ours. Real families are small numbers, so a value with bits in the upper half was written the other way.
// LOOP (DLT_LOOP): the same 4 bytes, always in network byte order.
LinkResult decode_bsd_loopback(std::span<const std::uint8_t> frame, bool network_order) {
  LinkResult result;
  result.info.kind = LinkKind::bsd_loopback;
  ByteReader reader(frame);
  std::uint32_t family = network_order ? reader.be32() : reader.le32();
  if (!reader.ok()) {
    result.error = decode_error(Layer::link, ErrorKind::truncated, 4, frame.size(), "loopback header cut short by the capture");
    return result;
  }
  if (!network_order && (family & 0xFFFF0000u) != 0) {
    family = (family >> 24) | ((family >> 8) & 0xFF00u) | ((family << 8) & 0xFF0000u) | (family << 24);
  }
  result.info.header_len = 4;
  result.info.protocol = ethertype_of_address_family(family);
  return result;
}

// Linux cooked v1 (16 bytes): packet type (2), ARPHRD type (2), address length (2), address (8),
// protocol (2, an EtherType for IP).
LinkResult decode_sll(std::span<const std::uint8_t> frame) {
  LinkResult result;
  result.info.kind = LinkKind::linux_sll;
  ByteReader reader(frame);
  const std::uint16_t packet_type = reader.be16();
  reader.skip(12);  // ARPHRD type, address length, address: not needed to find IP
  const std::uint16_t protocol = reader.be16();
  if (!reader.ok()) {
    result.error =
        decode_error(Layer::link, ErrorKind::truncated, 16, frame.size(), "Linux cooked (SLL) header cut short by the capture");
    return result;
  }
  result.info.header_len = 16;
  result.info.sll_packet_type = packet_type;
  result.info.protocol = protocol;
  return result;
}

// Linux cooked v2 (20 bytes): protocol (2), reserved (2), interface index (4), ARPHRD type (2),
// packet type (1), address length (1), address (8).
LinkResult decode_sll2(std::span<const std::uint8_t> frame) {
  LinkResult result;
  result.info.kind = LinkKind::linux_sll2;
  ByteReader reader(frame);
  const std::uint16_t protocol = reader.be16();
  reader.skip(8);  // reserved, interface index, ARPHRD type
  const std::uint8_t packet_type = reader.u8();
  reader.skip(9);  // address length, address
  if (!reader.ok()) {
    result.error =
        decode_error(Layer::link, ErrorKind::truncated, 20, frame.size(), "Linux cooked v2 (SLL2) header cut short by the capture");
    return result;
  }
  result.info.header_len = 20;
  result.info.sll_packet_type = packet_type;
  result.info.protocol = protocol;
  return result;
}

// Raw IP: no link header at all; the first nibble of the IP header is its version.
LinkResult decode_raw(std::span<const std::uint8_t> frame, std::uint32_t link_type) {
  LinkResult result;
  result.info.kind = LinkKind::raw_ip;
  // LINKTYPE_IPV4/IPV6 promise the version, so we believe them and let the IP decoder reject a wrong
  // version nibble with a precise error.
  if (link_type == link_type::ipv4) {
    result.info.protocol = ethertype::ipv4;
    return result;
  }
  if (link_type == link_type::ipv6) {
    result.info.protocol = ethertype::ipv6;
    return result;
  }
  ByteReader reader(frame);
  const std::uint8_t version = reader.u8() >> 4;
  if (!reader.ok()) {
    result.error = decode_error(Layer::link, ErrorKind::truncated, 1, 0, "raw IP frame is empty");
    return result;
  }
  if (version == 4) {
    result.info.protocol = ethertype::ipv4;
  } else if (version == 6) {
    result.info.protocol = ethertype::ipv6;
  } else {
    result.error = decode_error(Layer::link, ErrorKind::invalid, 1, frame.size(), "raw IP packet whose version is neither 4 nor 6");
  }
  return result;
}

}  // namespace

LinkResult decode_link(std::uint32_t link_type, std::span<const std::uint8_t> frame) {
  switch (link_type) {
    case link_type::ethernet: return decode_ethernet(frame);
    case link_type::null: return decode_bsd_loopback(frame, false);
    case link_type::loop: return decode_bsd_loopback(frame, true);
    case link_type::linux_sll: return decode_sll(frame);
    case link_type::linux_sll2: return decode_sll2(frame);
    case link_type::raw:
    case link_type::raw_openbsd:
    case link_type::raw_file:
    case link_type::ipv4:
    case link_type::ipv6: return decode_raw(frame, link_type);
    default: {
      LinkResult result;
      result.error = decode_error(Layer::link, ErrorKind::unsupported, 0, frame.size(), "link type not supported");
      return result;
    }
  }
}

const char* link_type_name(std::uint32_t link_type) {
  switch (link_type) {
    case link_type::null: return "BSD loopback (NULL)";
    case link_type::ethernet: return "Ethernet";
    case link_type::raw:
    case link_type::raw_openbsd:
    case link_type::raw_file: return "raw IP";
    case link_type::loop: return "OpenBSD loopback (LOOP)";
    case link_type::linux_sll: return "Linux cooked (SLL)";
    case link_type::ipv4: return "raw IPv4";
    case link_type::ipv6: return "raw IPv6";
    case link_type::linux_sll2: return "Linux cooked v2 (SLL2)";
    default: return nullptr;
  }
}

}  // namespace lab::decode
