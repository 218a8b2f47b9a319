// ARP (RFC 826) on crafted frames: a request and its reply read field by field, the kinds RFC 5227 names
// (gratuitous, announcement, probe), every cut length, lengths that lie, other address kinds, unknown operations.
#include "capture/decode/arp.hpp"

#include <string>

#include "capture/decode/packet.hpp"
#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::cut;
using lab::test::frame_of;
using lab::test::operator+;
using lab::test::put16;

namespace {

// A real ARP request as Linux sends it (192.168.219.164 asks for 192.168.219.113), Ethernet header included,
// padded to Ethernet's 60-byte minimum.
const Bytes arp_request_frame = {
    // Ethernet II (14 bytes)
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // destination MAC: broadcast
    0x02, 0x42, 0xac, 0x11, 0x00, 0x02,  // source MAC 02:42:ac:11:00:02
    0x08, 0x06,                          // EtherType ARP
    // ARP (28 bytes, offset 14)
    0x00, 0x01,                          // ar$hrd: hardware type 1, Ethernet
    0x08, 0x00,                          // ar$pro: protocol type 0x0800, IPv4
    0x06,                                // ar$hln: hardware address length 6
    0x04,                                // ar$pln: protocol address length 4
    0x00, 0x01,                          // ar$op: 1, request
    0x02, 0x42, 0xac, 0x11, 0x00, 0x02,  // ar$sha: sender MAC 02:42:ac:11:00:02
    0xc0, 0xa8, 0xdb, 0xa4,              // ar$spa: sender IP 192.168.219.164
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ar$tha: target MAC, not known yet
    0xc0, 0xa8, 0xdb, 0x71,              // ar$tpa: target IP 192.168.219.113
    // Ethernet padding to 60 bytes (offset 42)
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

struct ArpSpec {
  std::uint16_t hardware_type = 1;
  std::uint16_t protocol_type = 0x0800;
  std::uint8_t hardware_len = 6;
  std::uint8_t protocol_len = 4;
  std::uint16_t op = 1;
  Bytes sender_mac = {0x02, 0, 0, 0, 0, 0x01};
  Bytes sender_ip = {10, 0, 0, 1};
  Bytes target_mac = {0, 0, 0, 0, 0, 0};
  Bytes target_ip = {10, 0, 0, 2};
};

// An ARP packet (no Ethernet header): the fixed part, then the four addresses as given.
Bytes arp_packet(const ArpSpec& s) {
  Bytes b;
  put16(b, s.hardware_type);           // ar$hrd
  put16(b, s.protocol_type);           // ar$pro
  b.push_back(s.hardware_len);         // ar$hln
  b.push_back(s.protocol_len);         // ar$pln
  put16(b, s.op);                      // ar$op
  return b + s.sender_mac + s.sender_ip + s.target_mac + s.target_ip;  // ar$sha, ar$spa, ar$tha, ar$tpa
}

}  // namespace

TEST_CASE("ARP request: every field, read in RFC 826's order") {
  const ArpResult r = decode_arp(std::span(arp_request_frame).subspan(14));
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  const ArpHeader& h = *r.header;
  CHECK(h.hardware_type == 1);
  CHECK(h.protocol_type == 0x0800);
  CHECK(h.hardware_len == 6);
  CHECK(h.protocol_len == 4);
  CHECK(h.op == arp_op::request);
  CHECK(h.is_request());
  REQUIRE(h.addresses_read);
  CHECK(to_string(h.sender_mac) == "02:42:ac:11:00:02");
  CHECK(to_string(h.sender_ip) == "192.168.219.164");
  CHECK(to_string(h.target_mac) == "00:00:00:00:00:00");
  CHECK(h.target_mac.is_zero());
  CHECK(to_string(h.target_ip) == "192.168.219.113");
  CHECK_FALSE(h.is_gratuitous());
  CHECK_FALSE(h.is_probe());
  CHECK_FALSE(h.is_announcement());
  CHECK(std::string(arp_op_name(h.op)) == "request");
}

TEST_CASE("ARP in a whole frame: the link says 0x0806, the packet carries ARP and both MACs") {
  const DecodedPacket p = decode_packet(frame_of(arp_request_frame));
  REQUIRE_FALSE(p.error);
  CHECK(p.link.protocol == ethertype::arp);
  REQUIRE(p.link.has_macs);
  CHECK(p.link.dst_mac().is_broadcast());
  CHECK(to_string(p.link.src_mac()) == "02:42:ac:11:00:02");
  CHECK_FALSE(p.has_ip());
  REQUIRE(p.arp);
  CHECK(p.arp->addresses_read);
  CHECK(to_string(p.arp->target_ip) == "192.168.219.113");
  CHECK(p.payload_len == 0);  // the Ethernet padding is not ARP's
}

TEST_CASE("ARP reply: the answer in the sender fields, the asker in the target fields") {
  const Bytes bytes = arp_packet({.op = 2,
                                  .sender_mac = {0x02, 0, 0, 0, 0, 0x02},
                                  .sender_ip = {10, 0, 0, 2},
                                  .target_mac = {0x02, 0, 0, 0, 0, 0x01},
                                  .target_ip = {10, 0, 0, 1}});
  const ArpResult r = decode_arp(bytes);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  CHECK(r.header->is_reply());
  CHECK(std::string(arp_op_name(r.header->op)) == "reply");
  CHECK(to_string(r.header->sender_mac) == "02:00:00:00:00:02");
  CHECK(to_string(r.header->sender_ip) == "10.0.0.2");
  CHECK(to_string(r.header->target_mac) == "02:00:00:00:00:01");
  CHECK(to_string(r.header->target_ip) == "10.0.0.1");
  CHECK_FALSE(r.header->is_gratuitous());
}

TEST_CASE("ARP kinds of RFC 5227, as Wireshark tells them: gratuitous, announcement, probe") {
  SECTION("gratuitous request with a zero target MAC: an announcement") {
    const ArpResult r = decode_arp(arp_packet({.sender_ip = {10, 0, 0, 5}, .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK(r.header->is_gratuitous());
    CHECK(r.header->is_announcement());
    CHECK_FALSE(r.header->is_probe());
  }
  SECTION("gratuitous request with the broadcast address as target MAC: gratuitous, not an announcement") {
    const ArpResult r = decode_arp(
        arp_packet({.sender_ip = {10, 0, 0, 5}, .target_mac = Bytes(6, 0xff), .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK(r.header->is_gratuitous());
    CHECK_FALSE(r.header->is_announcement());
  }
  SECTION("gratuitous reply") {
    const ArpResult r = decode_arp(arp_packet(
        {.op = 2, .sender_ip = {10, 0, 0, 5}, .target_mac = {0x02, 0, 0, 0, 0, 0x01}, .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK(r.header->is_gratuitous());
    CHECK_FALSE(r.header->is_announcement());  // an announcement is a request
  }
  SECTION("probe: sender IP 0.0.0.0, target MAC zero") {
    const ArpResult r = decode_arp(arp_packet({.sender_ip = {0, 0, 0, 0}, .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK(r.header->is_probe());
    CHECK_FALSE(r.header->is_gratuitous());
  }
  SECTION("sender IP 0.0.0.0 but a target MAC: not a probe by RFC 5227's definition") {
    const ArpResult r = decode_arp(
        arp_packet({.sender_ip = {0, 0, 0, 0}, .target_mac = {0x02, 0, 0, 0, 0, 0x09}, .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK_FALSE(r.header->is_probe());
  }
  SECTION("a reply from 0.0.0.0 is no probe either") {
    const ArpResult r = decode_arp(arp_packet({.op = 2, .sender_ip = {0, 0, 0, 0}, .target_ip = {10, 0, 0, 5}}));
    REQUIRE(r.header);
    CHECK_FALSE(r.header->is_probe());
  }
}

TEST_CASE("ARP: an unknown operation is kept as its number, with the addresses") {
  const ArpResult r = decode_arp(arp_packet({.op = 8}));  // InARP request (RFC 2390)
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  CHECK(r.header->op == 8);
  CHECK(arp_op_name(8) == nullptr);
  CHECK(r.header->addresses_read);
  CHECK_FALSE(r.header->is_request());
  CHECK_FALSE(r.header->is_reply());
  CHECK_FALSE(r.header->is_gratuitous());
  CHECK_FALSE(r.header->is_probe());
}

TEST_CASE("ARP: every truncated length is reported as truncated, never read past") {
  const Bytes bytes = arp_packet({});
  REQUIRE(bytes.size() == 28);
  const std::size_t len = GENERATE(range(0, 28));
  INFO("cut at " << len);
  const ArpResult r = decode_arp(cut(bytes, len));
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::arp);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->present == len);
  if (len < 8) {
    CHECK_FALSE(r.header);  // not even the fixed part
    CHECK(r.error->needed == 8);
  } else {
    REQUIRE(r.header);  // the fixed part is kept, the addresses are not half-read
    CHECK(r.header->op == 1);
    CHECK_FALSE(r.header->addresses_read);
    CHECK(r.error->needed == 28);
  }
}

TEST_CASE("ARP: lengths that lie for Ethernet and IPv4 are invalid") {
  SECTION("ar$hln 5") {
    const ArpResult r = decode_arp(arp_packet({.hardware_len = 5}));
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.error->layer == Layer::arp);
    REQUIRE(r.header);
    CHECK(r.header->hardware_len == 5);
    CHECK_FALSE(r.header->addresses_read);
  }
  SECTION("ar$pln 16") {
    const ArpResult r = decode_arp(arp_packet({.protocol_len = 16}));
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    REQUIRE(r.header);
    CHECK(r.header->protocol_len == 16);
    CHECK_FALSE(r.header->addresses_read);
  }
}

TEST_CASE("ARP of another kind: the fixed part is kept, the addresses are not read") {
  struct Case {
    const char* name;
    ArpSpec spec;
  };
  const Case c = GENERATE(values<Case>({
      {"IEEE 802 hardware (type 6)", {.hardware_type = 6}},
      {"Frame Relay (type 15)", {.hardware_type = 15}},
      {"another protocol type (0x86dd)", {.protocol_type = 0x86dd, .protocol_len = 16}},
      {"all zero", {.hardware_type = 0, .protocol_type = 0, .hardware_len = 0, .protocol_len = 0, .op = 0}},
  }));
  INFO(c.name);
  const ArpResult r = decode_arp(arp_packet(c.spec));
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::unsupported);
  CHECK(r.error->layer == Layer::arp);
  REQUIRE(r.header);
  CHECK(r.header->hardware_type == c.spec.hardware_type);
  CHECK(r.header->protocol_type == c.spec.protocol_type);
  CHECK_FALSE(r.header->addresses_read);
  CHECK_FALSE(r.header->is_gratuitous());
}

TEST_CASE("ARP errors are placed in the frame, after the Ethernet header and its VLAN tags") {
  const Bytes tagged = Bytes{
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  // destination MAC: broadcast
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
      0x81, 0x00,                          // EtherType 802.1Q
      0x00, 0x0a,                          // TCI: VLAN 10
      0x08, 0x06,                          // EtherType ARP
  } + arp_packet({.hardware_len = 7});
  const DecodedPacket p = decode_packet(frame_of(tagged));
  REQUIRE(p.error);
  CHECK(p.error->layer == Layer::arp);
  CHECK(p.error->offset == 18);
  REQUIRE(p.arp);
  CHECK(p.arp->hardware_len == 7);
  CHECK(p.link.vlan_count == 1);
}

TEST_CASE("MAC addresses: text form and the group bit") {
  const MacAddress broadcast = MacAddress::of(std::span<const std::uint8_t, 6>(Bytes(6, 0xff).data(), 6));
  CHECK(broadcast.is_broadcast());
  CHECK(broadcast.is_group());
  CHECK(to_string(broadcast) == "ff:ff:ff:ff:ff:ff");
  const Bytes multicast = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};  // 224.0.0.251's MAC (mDNS)
  const MacAddress m = MacAddress::of(std::span<const std::uint8_t, 6>(multicast.data(), 6));
  CHECK(m.is_group());
  CHECK_FALSE(m.is_broadcast());
  CHECK(to_string(m) == "01:00:5e:00:00:fb");
  const Bytes unicast = {0x02, 0xAB, 0xcd, 0x0E, 0xf0, 0x09};
  const MacAddress u = MacAddress::of(std::span<const std::uint8_t, 6>(unicast.data(), 6));
  CHECK_FALSE(u.is_group());
  CHECK(to_string(u) == "02:ab:cd:0e:f0:09");
  CHECK(u == MacAddress::of(std::span<const std::uint8_t, 6>(unicast.data(), 6)));
  CHECK_FALSE(u == m);
}

TEST_CASE("link: which link layers carry MACs") {
  const Bytes eth = lab::test::ethernet_header(ethertype::ipv4);
  CHECK(decode_link(link_type::ethernet, eth).info.has_macs);
  CHECK_FALSE(decode_link(link_type::ethernet, cut(eth, 13)).info.has_macs);  // cut before the EtherType
  const Bytes sll2(20, 0);
  CHECK_FALSE(decode_link(link_type::linux_sll2, sll2).info.has_macs);
  const Bytes null_header = {2, 0, 0, 0};
  CHECK_FALSE(decode_link(link_type::null, null_header).info.has_macs);
  const Bytes raw = {0x45};
  CHECK_FALSE(decode_link(link_type::raw, raw).info.has_macs);
}
