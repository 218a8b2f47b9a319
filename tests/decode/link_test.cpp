// Link layers: where the network header starts and which protocol it is.
#include "capture/decode/link.hpp"

#include <string>

#include "capture/decode/frame.hpp"
#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::cut;

TEST_CASE("Ethernet II: MACs and EtherType") {
  const Bytes frame = lab::test::ethernet_header(ethertype::ipv6) + Bytes{0x60};
  const LinkResult r = decode_link(link_type::ethernet, frame);
  REQUIRE_FALSE(r.error);
  CHECK(r.info.kind == LinkKind::ethernet);
  CHECK(r.info.header_len == 14);
  CHECK(r.info.protocol == ethertype::ipv6);
  CHECK(r.info.vlan_count == 0);
  CHECK(r.info.mac_dst[5] == 0x02);
  CHECK(r.info.mac_src[5] == 0x01);
}

TEST_CASE("Ethernet: every truncated length of the 14-byte header is reported, never read past") {
  const Bytes frame = lab::test::ethernet_header(ethertype::ipv4);
  const std::size_t len = GENERATE(range(0, 14));
  const LinkResult r = decode_link(link_type::ethernet, cut(frame, len));
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::link);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 14);
  CHECK(r.error->present == len);
}

TEST_CASE("Ethernet with 802.1Q and 802.1ad VLAN tags") {
  SECTION("one 802.1Q tag") {
    const Bytes frame = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x81, 0x00,                          // EtherType 802.1Q
        0x20, 0x64,                          // TCI: priority 1, VLAN 100
        0x08, 0x00,                          // EtherType IPv4
    };
    const LinkResult r = decode_link(link_type::ethernet, frame);
    REQUIRE_FALSE(r.error);
    CHECK(r.info.header_len == 18);
    CHECK(r.info.protocol == ethertype::ipv4);
    CHECK(r.info.vlan_count == 1);
    CHECK(r.info.vlan_ids[0] == 100);
  }
  SECTION("QinQ: 802.1ad outer, 802.1Q inner, then a third tag") {
    const Bytes frame = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02,  // destination MAC
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,  // source MAC
        0x88, 0xa8,                          // EtherType 802.1ad (service tag)
        0x00, 0x0a,                          // TCI: VLAN 10
        0x81, 0x00,                          // EtherType 802.1Q (customer tag)
        0x0f, 0xff,                          // TCI: VLAN 4095
        0x81, 0x00,                          // EtherType 802.1Q (a third tag)
        0x00, 0x05,                          // TCI: VLAN 5 (counted, id not kept)
        0x86, 0xdd,                          // EtherType IPv6
    };
    const LinkResult r = decode_link(link_type::ethernet, frame);
    REQUIRE_FALSE(r.error);
    CHECK(r.info.header_len == 26);
    CHECK(r.info.protocol == ethertype::ipv6);
    CHECK(r.info.vlan_count == 3);
    CHECK(r.info.vlan_ids[0] == 10);
    CHECK(r.info.vlan_ids[1] == 4095);
  }
  SECTION("a VLAN tag cut by the capture") {
    const Bytes frame = lab::test::ethernet_header(ethertype::vlan) + Bytes{0x00, 0x64, 0x08};
    const LinkResult r = decode_link(link_type::ethernet, frame);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::truncated);
    CHECK(r.error->needed == 18);
    CHECK(r.error->present == 17);
  }
}

TEST_CASE("Ethernet 802.3 length field: not an EtherType, not an error") {
  const Bytes frame = lab::test::ethernet_header(0x0026) + Bytes{0x42, 0x42, 0x03};  // 38 bytes of LLC (STP)
  const LinkResult r = decode_link(link_type::ethernet, frame);
  CHECK_FALSE(r.error);
  CHECK(r.info.header_len == 14);
  CHECK(r.info.protocol == 0);
}

TEST_CASE("BSD loopback (NULL): address family in either byte order") {
  SECTION("little-endian AF_INET (captured on x86)") {
    const Bytes frame = {0x02, 0x00, 0x00, 0x00};  // AF_INET = 2, host order
    const LinkResult r = decode_link(link_type::null, frame);
    REQUIRE_FALSE(r.error);
    CHECK(r.info.kind == LinkKind::bsd_loopback);
    CHECK(r.info.header_len == 4);
    CHECK(r.info.protocol == ethertype::ipv4);
  }
  SECTION("big-endian AF_INET (captured on a big-endian machine)") {
    const Bytes frame = {0x00, 0x00, 0x00, 0x02};  // AF_INET = 2
    const LinkResult r = decode_link(link_type::null, frame);
    REQUIRE_FALSE(r.error);
    CHECK(r.info.protocol == ethertype::ipv4);
  }
  SECTION("every system's AF_INET6, in both byte orders") {
    const auto family = static_cast<std::uint8_t>(GENERATE(10, 24, 28, 30));  // Linux, BSDs, FreeBSD, macOS
    const Bytes little = {family, 0x00, 0x00, 0x00};
    const Bytes big = {0x00, 0x00, 0x00, family};
    CHECK(decode_link(link_type::null, little).info.protocol == ethertype::ipv6);
    CHECK(decode_link(link_type::null, big).info.protocol == ethertype::ipv6);
  }
  SECTION("an unknown family decodes with protocol 0, no error") {
    const Bytes frame = {0x07, 0x00, 0x00, 0x00};
    const LinkResult r = decode_link(link_type::null, frame);
    CHECK_FALSE(r.error);
    CHECK(r.info.protocol == 0);
  }
  SECTION("cut short") {
    const std::size_t len = GENERATE(range(0, 4));
    const Bytes frame = {0x02, 0x00, 0x00, 0x00};
    const LinkResult r = decode_link(link_type::null, cut(frame, len));
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::truncated);
    CHECK(r.error->layer == Layer::link);
    CHECK(r.error->needed == 4);
  }
}

TEST_CASE("OpenBSD loopback (LOOP): address family in network byte order") {
  const Bytes v4 = {0x00, 0x00, 0x00, 0x02};  // AF_INET
  const Bytes v6 = {0x00, 0x00, 0x00, 0x18};  // AF_INET6 on OpenBSD = 24
  CHECK(decode_link(link_type::loop, v4).info.protocol == ethertype::ipv4);
  CHECK(decode_link(link_type::loop, v6).info.protocol == ethertype::ipv6);
  CHECK(decode_link(link_type::loop, v6).info.header_len == 4);
  // LOOP does not guess: host-order bytes are a different (unknown) family.
  const Bytes swapped = {0x02, 0x00, 0x00, 0x00};
  CHECK(decode_link(link_type::loop, swapped).info.protocol == 0);
}

TEST_CASE("Linux cooked v1 (SLL)") {
  const Bytes frame = {
      0x00, 0x04,                                      // packet type 4: sent by us
      0x03, 0x04,                                      // ARPHRD_LOOPBACK
      0x00, 0x06,                                      // address length 6
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // address (padded to 8)
      0x08, 0x00,                                      // protocol IPv4
  };
  const LinkResult r = decode_link(link_type::linux_sll, frame);
  REQUIRE_FALSE(r.error);
  CHECK(r.info.kind == LinkKind::linux_sll);
  CHECK(r.info.header_len == 16);
  CHECK(r.info.protocol == ethertype::ipv4);
  CHECK(r.info.sll_packet_type == 4);

  const std::size_t len = GENERATE(range(0, 16));
  const LinkResult short_r = decode_link(link_type::linux_sll, cut(frame, len));
  REQUIRE(short_r.error);
  CHECK(short_r.error->kind == ErrorKind::truncated);
  CHECK(short_r.error->needed == 16);
  CHECK(short_r.error->present == len);
}

TEST_CASE("Linux cooked v2 (SLL2)") {
  const Bytes frame = {
      0x86, 0xdd,                                      // protocol IPv6
      0x00, 0x00,                                      // reserved
      0x00, 0x00, 0x00, 0x02,                          // interface index 2
      0x00, 0x01,                                      // ARPHRD_ETHER
      0x00,                                            // packet type 0: to us
      0x06,                                            // address length 6
      0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,  // address (padded to 8)
  };
  const LinkResult r = decode_link(link_type::linux_sll2, frame);
  REQUIRE_FALSE(r.error);
  CHECK(r.info.kind == LinkKind::linux_sll2);
  CHECK(r.info.header_len == 20);
  CHECK(r.info.protocol == ethertype::ipv6);
  CHECK(r.info.sll_packet_type == 0);

  Bytes outgoing = frame;
  outgoing[10] = 4;  // packet type 4: sent by us
  CHECK(decode_link(link_type::linux_sll2, outgoing).info.sll_packet_type == 4);

  const std::size_t len = GENERATE(range(0, 20));
  const LinkResult short_r = decode_link(link_type::linux_sll2, cut(frame, len));
  REQUIRE(short_r.error);
  CHECK(short_r.error->kind == ErrorKind::truncated);
  CHECK(short_r.error->needed == 20);
}

TEST_CASE("raw IP: the version nibble says which IP") {
  const std::uint32_t type = GENERATE(link_type::raw, link_type::raw_openbsd, link_type::raw_file);
  const Bytes v4 = {0x45};
  const Bytes v6 = {0x60};
  const Bytes v5 = {0x50};
  CHECK(decode_link(type, v4).info.protocol == ethertype::ipv4);
  CHECK(decode_link(type, v4).info.header_len == 0);
  CHECK(decode_link(type, v4).info.kind == LinkKind::raw_ip);
  CHECK(decode_link(type, v6).info.protocol == ethertype::ipv6);

  const LinkResult bad = decode_link(type, v5);
  REQUIRE(bad.error);
  CHECK(bad.error->kind == ErrorKind::invalid);

  const LinkResult empty = decode_link(type, Bytes{});
  CHECK(empty.info.protocol == 0);
  REQUIRE(empty.error);
  CHECK(empty.error->kind == ErrorKind::truncated);
}

TEST_CASE("raw IPv4 / raw IPv6 link types name the protocol themselves") {
  CHECK(decode_link(link_type::ipv4, Bytes{0x45}).info.protocol == ethertype::ipv4);
  CHECK(decode_link(link_type::ipv6, Bytes{0x60}).info.protocol == ethertype::ipv6);
  // The IP decoder, not the link, reports a wrong version here (see packet_test).
  CHECK_FALSE(decode_link(link_type::ipv4, Bytes{0x60}).error);
  CHECK(decode_link(link_type::ipv4, Bytes{0x60}).info.protocol == ethertype::ipv4);
}

TEST_CASE("an unsupported link type is an error, not a crash") {
  const Bytes frame = {0x01, 0x02, 0x03};
  const LinkResult r = decode_link(105, frame);  // 802.11
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::unsupported);
  CHECK(r.error->layer == Layer::link);
  CHECK(r.info.kind == LinkKind::unsupported);
}

TEST_CASE("link type names") {
  CHECK(std::string(link_type_name(link_type::ethernet)) == "Ethernet");
  CHECK(std::string(link_type_name(link_type::null)) == "BSD loopback (NULL)");
  CHECK(std::string(link_type_name(link_type::loop)) == "OpenBSD loopback (LOOP)");
  CHECK(std::string(link_type_name(link_type::linux_sll)) == "Linux cooked (SLL)");
  CHECK(std::string(link_type_name(link_type::linux_sll2)) == "Linux cooked v2 (SLL2)");
  CHECK(std::string(link_type_name(link_type::raw)) == "raw IP");
  CHECK(std::string(link_type_name(link_type::raw_file)) == "raw IP");
  CHECK(std::string(link_type_name(link_type::ipv4)) == "raw IPv4");
  CHECK(std::string(link_type_name(link_type::ipv6)) == "raw IPv6");
  CHECK(link_type_name(105) == nullptr);
}
