// Whole frames: layers in order, offsets from the frame start, what is kept when a layer fails, and a
// sweep over every cut length and random bytes that must never read outside the frame.
#include "capture/decode/packet.hpp"

#include <cstdint>
#include <random>
#include <string>

#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::frame_of;

namespace {

// True when `inner` lies within `outer` (or is empty): a decoder never hands out bytes it was not given.
bool within(std::span<const std::uint8_t> inner, std::span<const std::uint8_t> outer) {
  if (inner.empty()) return true;
  const auto begin = reinterpret_cast<std::uintptr_t>(outer.data());
  const auto first = reinterpret_cast<std::uintptr_t>(inner.data());
  return first >= begin && first + inner.size() <= begin + outer.size();
}

}  // namespace

TEST_CASE("packet: Ethernet, IPv4, TCP SYN") {
  const DecodedPacket p = decode_packet(frame_of(lab::test::linux_syn));
  REQUIRE_FALSE(p.error);
  CHECK(p.link.kind == LinkKind::ethernet);
  REQUIRE(p.ipv4);
  CHECK_FALSE(p.ipv6);
  REQUIRE(p.tcp);
  CHECK_FALSE(p.udp);
  CHECK_FALSE(p.icmp);
  CHECK(to_string(*p.src_ip()) == "127.0.0.1");
  CHECK(p.tcp->dst_port == 8080);
  CHECK(p.tcp->options.window_scale == 7);
  CHECK(p.transport.size() == 40);
  CHECK(p.transport.data() == lab::test::linux_syn.data() + 34);
  CHECK(p.transport_len == 40);
  CHECK(p.payload_len == 0);
  CHECK_FALSE(p.is_later_fragment());
}

TEST_CASE("packet: Ethernet, IPv6, UDP") {
  const DecodedPacket p = decode_packet(frame_of(lab::test::udp_over_ipv6));
  REQUIRE_FALSE(p.error);
  REQUIRE(p.ipv6);
  REQUIRE(p.udp);
  CHECK(to_string(*p.dst_ip()) == "2001:db8::2");
  CHECK(p.udp->dst_port == 53);
  CHECK(p.transport_len == 11);
  CHECK(p.payload_len == 3);
  REQUIRE(p.payload.size() == 3);
  CHECK(p.payload[0] == 'h');
}

TEST_CASE("packet: every cut length reports the layer that was cut, at its frame offset") {
  const Bytes& frame = lab::test::linux_syn;  // Ethernet 0..13, IPv4 14..33, TCP 34..73
  const std::size_t len = GENERATE(range(std::size_t{0}, std::size_t{74}));
  const Bytes captured(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
  Frame f = frame_of(captured);
  f.wire_len = 74;  // the wire saw all of it; the snap length kept `len` bytes
  const DecodedPacket p = decode_packet(f);
  REQUIRE(p.error);
  CHECK(p.error->kind == ErrorKind::truncated);
  if (len < 14) {
    CHECK(p.error->layer == Layer::link);
    CHECK(p.error->offset == 0);
    CHECK_FALSE(p.ipv4);
  } else if (len < 34) {
    CHECK(p.error->layer == Layer::ipv4);
    CHECK(p.error->offset == 14);
    CHECK(p.error->present == len - 14);
    CHECK_FALSE(p.tcp);
  } else {
    CHECK(p.error->layer == Layer::tcp);
    CHECK(p.error->offset == 34);
    CHECK(p.error->present == len - 34);
    CHECK(p.ipv4);  // the layer before the cut is kept
  }
}

TEST_CASE("packet: a broken TCP option keeps IPv4 and the TCP header") {
  const Bytes options = {
      0x02, 0x04, 0x05, 0xb4,  // MSS 1460
      0x05, 0x00,              // SACK with length 0
      0x01, 0x01,              // NOPs
  };
  const Bytes frame = lab::test::eth_ipv4_tcp({.options = options, .payload = {'x'}});
  const DecodedPacket p = decode_packet(frame_of(frame));
  REQUIRE(p.ipv4);
  REQUIRE(p.tcp);
  CHECK(p.tcp->options.mss == 1460);
  CHECK(p.payload_len == 1);
  REQUIRE(p.error);
  CHECK(p.error->layer == Layer::tcp);
  CHECK(p.error->kind == ErrorKind::invalid);
  CHECK(p.error->offset == 34);
}

TEST_CASE("packet: an IP-level fault stops before the transport") {
  SECTION("IHL below 5") {
    const Bytes frame = lab::test::eth_ipv4_tcp({}, {.ihl = 3});
    const DecodedPacket p = decode_packet(frame_of(frame));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::ipv4);
    CHECK(p.error->kind == ErrorKind::invalid);
    CHECK(p.error->offset == 14);
    CHECK_FALSE(p.tcp);
  }
  SECTION("wrong IP version behind an IPv4 EtherType") {
    Bytes frame = lab::test::eth_ipv4_tcp();
    frame[14] = 0x65;
    const DecodedPacket p = decode_packet(frame_of(frame));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::ipv4);
    CHECK(p.error->kind == ErrorKind::invalid);
  }
  SECTION("raw IPv4 link type holding an IPv6 packet") {
    const Bytes packet = lab::test::ipv6_packet(17, lab::test::udp_datagram({}));
    const DecodedPacket p = decode_packet(frame_of(packet, link_type::ipv4));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::ipv4);
    CHECK(p.error->kind == ErrorKind::invalid);
  }
  SECTION("IPv6 extension header cut, offset from the frame start") {
    const Bytes packet = lab::test::ipv6_packet(0, lab::test::extension_header(6, 1));
    const Bytes captured(packet.begin(), packet.end() - 4);
    const DecodedPacket p = decode_packet(frame_of(captured, link_type::raw));
    REQUIRE(p.ipv6);
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::ipv6);
    CHECK(p.error->kind == ErrorKind::truncated);
    CHECK(p.error->offset == 40);
  }
}

TEST_CASE("packet: TCP data offset past the segment, seen from the frame") {
  const Bytes frame = lab::test::eth_ipv4_tcp({.data_offset = 6});
  const DecodedPacket p = decode_packet(frame_of(frame));
  REQUIRE(p.error);
  CHECK(p.error->layer == Layer::tcp);
  CHECK(p.error->kind == ErrorKind::invalid);
  CHECK(p.error->needed == 24);
  CHECK(p.error->present == 20);
}

TEST_CASE("packet: UDP length faults through the whole stack") {
  SECTION("length below 8") {
    const Bytes frame = lab::test::ethernet_header(0x0800) +
                        lab::test::ipv4_packet(lab::test::udp_datagram(Bytes(4, 0), 4), {.protocol = 17});
    const DecodedPacket p = decode_packet(frame_of(frame));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::udp);
    CHECK(p.error->offset == 34);
    CHECK(p.error->kind == ErrorKind::invalid);
  }
  SECTION("length longer than the IP payload") {
    const Bytes frame = lab::test::ethernet_header(0x0800) +
                        lab::test::ipv4_packet(lab::test::udp_datagram(Bytes(4, 0), 40), {.protocol = 17});
    const DecodedPacket p = decode_packet(frame_of(frame));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::udp);
    CHECK(p.error->needed == 40);
    CHECK(p.error->present == 12);
  }
}

TEST_CASE("packet: a non-first IPv4 fragment has no transport header, and no error") {
  const Bytes frame =
      lab::test::eth_ipv4_tcp({.payload = Bytes(20, 0xab)}, {.flags_fragment = 0x0010});  // offset 16 (128 bytes)
  const DecodedPacket p = decode_packet(frame_of(frame));
  CHECK_FALSE(p.error);
  REQUIRE(p.ipv4);
  CHECK(p.is_later_fragment());
  CHECK_FALSE(p.tcp);
  CHECK(p.transport.empty());
}

TEST_CASE("packet: a first IPv4 fragment still has its TCP header") {
  const Bytes frame = lab::test::eth_ipv4_tcp({}, {.flags_fragment = 0x2000});
  const DecodedPacket p = decode_packet(frame_of(frame));
  CHECK_FALSE(p.error);
  CHECK_FALSE(p.is_later_fragment());
  CHECK(p.tcp);
}

TEST_CASE("packet: a first UDP fragment announces the whole datagram's length: normal, no error") {
  const Bytes udp = lab::test::udp_datagram(Bytes(1472, 'x'), 3008);  // UDP length 3008, 1480 bytes here
  const Bytes frame = lab::test::ethernet_header(0x0800) +
                      lab::test::ipv4_packet(udp, {.flags_fragment = 0x2000, .protocol = 17});  // MF, offset 0
  const DecodedPacket p = decode_packet(frame_of(frame));
  CHECK_FALSE(p.error);
  REQUIRE(p.udp);
  CHECK(p.udp->length == 3008);
  CHECK(p.payload_len == 1472);  // the data this fragment carries
  CHECK(p.fragment_data.size() == 1480);
  CHECK(p.fragment_data_len == 1480);
  CHECK(p.fragment_id() == 0x1c46);
  CHECK(p.more_fragments());
  // Without More Fragments the same length is a lie.
  const Bytes whole = lab::test::ethernet_header(0x0800) + lab::test::ipv4_packet(udp, {.protocol = 17});
  const DecodedPacket lie = decode_packet(frame_of(whole));
  REQUIRE(lie.error);
  CHECK(lie.error->layer == Layer::udp);
  CHECK(lie.fragment_data.empty());
}

TEST_CASE("packet: an IPv6 fragment's data starts after its Fragment header") {
  const Bytes fragment_header = {
      17,          // next header UDP
      0,           // reserved
      0x00, 0x81,  // fragment offset 16, M = 1
      0, 0, 0, 9,  // identification 9
  };
  const Bytes packet = lab::test::ipv6_packet(44, fragment_header + Bytes(32, 0x11));
  const DecodedPacket p = decode_packet(frame_of(packet, link_type::ipv6));
  REQUIRE(p.ipv6);
  CHECK(p.ipv6->fragment_next_header == 17);
  CHECK(p.ipv6->fragment_data_start == 48);
  CHECK(p.fragment_data.size() == 32);
  CHECK(p.fragment_data_len == 32);
  CHECK(p.fragment_offset_bytes() == 128);
  CHECK(p.fragment_id() == 9);
}

TEST_CASE("packet: a non-first IPv6 fragment has no transport header, and no error") {
  const Bytes fragment_header = {
      6,           // next header TCP
      0,           // reserved
      0x00, 0x81,  // fragment offset 16, M = 1
      0, 0, 0, 9,  // identification 9
  };
  const Bytes packet = lab::test::ipv6_packet(44, fragment_header + Bytes(32, 0x11));
  const DecodedPacket p = decode_packet(frame_of(packet, link_type::ipv6));
  CHECK_FALSE(p.error);
  REQUIRE(p.ipv6);
  CHECK(p.ipv6->fragment_offset == 16);
  CHECK(p.ipv6->more_fragments);
  CHECK(p.is_later_fragment());
  CHECK_FALSE(p.tcp);
}

TEST_CASE("packet: snap length cut the payload: headers complete, so no error") {
  const Bytes full = lab::test::eth_ipv4_tcp({.payload = Bytes(1000, 'd')});
  const Bytes captured(full.begin(), full.begin() + 96);
  Frame f = frame_of(captured);
  f.wire_len = static_cast<std::uint32_t>(full.size());
  const DecodedPacket p = decode_packet(f);
  CHECK_FALSE(p.error);
  REQUIRE(p.tcp);
  CHECK(p.payload_len == 1000);
  CHECK(p.payload.size() == 96 - 54);
  CHECK(p.transport_len == 1020);
  CHECK(p.transport.size() == 96 - 34);
}

TEST_CASE("packet: TSO super-packet with IPv4 total length 0") {
  const Bytes frame = lab::test::eth_ipv4_tcp({.payload = Bytes(3000, 'd')}, {.total_length = 0});
  const DecodedPacket p = decode_packet(frame_of(frame));
  CHECK_FALSE(p.error);
  REQUIRE(p.tcp);
  CHECK(p.payload_len == 3000);
  CHECK(p.payload.size() == 3000);
}

TEST_CASE("packet: every link type leads to the same TCP segment") {
  const Bytes ip = lab::test::ipv4_packet(lab::test::tcp_segment({.payload = {'o', 'k'}}));
  const Bytes ip6 = lab::test::ipv6_packet(6, lab::test::tcp_segment({.payload = {'o', 'k'}}));
  struct Case {
    const char* name;
    std::uint32_t link_type;
    Bytes frame;
    std::uint32_t header_len;
  };
  const Case c = GENERATE_COPY(values<Case>({
      {"VLAN-tagged Ethernet", link_type::ethernet,
       Bytes{0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1,  // MACs
             0x81, 0x00,                          // 802.1Q
             0x00, 0x2a,                          // VLAN 42
             0x08, 0x00} +                        // IPv4
           ip,
       18},
      {"SLL", link_type::linux_sll,
       Bytes{0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0,  // packet type, ARPHRD, address length, address
             0x08, 0x00} +                              // protocol IPv4
           ip,
       16},
      {"SLL2", link_type::linux_sll2,
       Bytes{0x86, 0xdd,                       // protocol IPv6
             0, 0, 0, 0, 0, 1, 0, 1, 4, 6,     // reserved, ifindex, ARPHRD, packet type 4, address length
             0, 0, 0, 0, 0, 0, 0, 0} +         // address
           ip6,
       20},
      {"NULL little-endian", link_type::null, Bytes{2, 0, 0, 0} + ip, 4},
      {"NULL big-endian", link_type::null, Bytes{0, 0, 0, 30} + ip6, 4},
      {"LOOP", link_type::loop, Bytes{0, 0, 0, 2} + ip, 4},
      {"raw IPv4", link_type::raw, ip, 0},
      {"raw IPv6", link_type::raw, ip6, 0},
      {"LINKTYPE_IPV4", link_type::ipv4, ip, 0},
      {"LINKTYPE_IPV6", link_type::ipv6, ip6, 0},
  }));
  INFO(c.name);
  const DecodedPacket p = decode_packet(frame_of(c.frame, c.link_type));
  REQUIRE_FALSE(p.error);
  CHECK(p.link.header_len == c.header_len);
  CHECK(p.has_ip());
  REQUIRE(p.tcp);
  CHECK(p.tcp->dst_port == 80);
  REQUIRE(p.payload.size() == 2);
  CHECK(p.payload[0] == 'o');
}

TEST_CASE("packet: unsupported link type") {
  const Bytes frame = {0x00, 0x01, 0x02, 0x03};
  const DecodedPacket p = decode_packet(frame_of(frame, 127));  // 802.11 radiotap
  REQUIRE(p.error);
  CHECK(p.error->layer == Layer::link);
  CHECK(p.error->kind == ErrorKind::unsupported);
  CHECK_FALSE(p.has_ip());
}

TEST_CASE("packet: non-IP and unknown protocols decode without error") {
  SECTION("ARP of no known kind (hardware and protocol type 0): its fixed part, and why no more") {
    const Bytes frame = lab::test::ethernet_header(0x0806) + Bytes(28, 0);
    const DecodedPacket p = decode_packet(frame_of(frame));
    REQUIRE(p.error);
    CHECK(p.error->layer == Layer::arp);
    CHECK(p.error->kind == ErrorKind::unsupported);
    CHECK(p.error->offset == 14);
    CHECK(p.link.protocol == ethertype::arp);
    REQUIRE(p.arp);
    CHECK_FALSE(p.arp->addresses_read);
    CHECK_FALSE(p.has_ip());
  }
  SECTION("GRE over IPv4") {
    const Bytes frame = lab::test::ethernet_header(0x0800) + lab::test::ipv4_packet(Bytes(8, 0), {.protocol = 47});
    const DecodedPacket p = decode_packet(frame_of(frame));
    CHECK_FALSE(p.error);
    REQUIRE(p.ipv4);
    CHECK_FALSE(p.tcp);
    CHECK_FALSE(p.udp);
    CHECK(p.transport.empty());
    CHECK(p.transport_len == 0);
  }
}

TEST_CASE("packet: ICMP and ICMPv6 by protocol number") {
  const Bytes echo = {8, 0, 0, 0, 0, 1, 0, 2};  // echo request, id 1, seq 2
  const Bytes packet4 = lab::test::ipv4_packet(echo, {.protocol = 1});
  const DecodedPacket v4 = decode_packet(frame_of(packet4, link_type::raw));
  REQUIRE_FALSE(v4.error);
  REQUIRE(v4.icmp);
  CHECK_FALSE(v4.icmp->v6);
  CHECK(v4.icmp->sequence == 2);

  const Bytes echo6 = {128, 0, 0, 0, 0, 1, 0, 3};  // ICMPv6 echo request, id 1, seq 3
  const Bytes packet6 = lab::test::ipv6_packet(58, echo6);
  const DecodedPacket v6 = decode_packet(frame_of(packet6, link_type::raw));
  REQUIRE_FALSE(v6.error);
  REQUIRE(v6.icmp);
  CHECK(v6.icmp->v6);
  CHECK(v6.icmp->sequence == 3);

  // The IPv6 header says 8 bytes of ICMPv6 follow; the capture kept 5.
  const Bytes cut_packet6 = lab::test::ipv6_packet(58, Bytes(echo6.begin(), echo6.begin() + 5), 8);
  const DecodedPacket cut6 = decode_packet(frame_of(cut_packet6, link_type::raw));
  REQUIRE(cut6.error);
  CHECK(cut6.error->layer == Layer::icmpv6);
  CHECK(cut6.error->offset == 40);
}

TEST_CASE("packet: random bytes never escape the frame (regression net for the fuzzer)") {
  const std::uint32_t link = GENERATE(link_type::ethernet, link_type::null, link_type::loop, link_type::linux_sll,
                                      link_type::linux_sll2, link_type::raw, link_type::ipv4, link_type::ipv6);
  std::mt19937 rng(link);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 120);
  int with_transport = 0;
  for (int i = 0; i < 3000; ++i) {
    // Start from a valid frame and damage it, so that decoding gets past the first layers.
    Bytes frame;
    if (link == link_type::ethernet) frame = lab::test::linux_syn;
    else if (link == link_type::null) frame = Bytes{2, 0, 0, 0} + lab::test::ipv4_packet(lab::test::tcp_segment());
    else if (link == link_type::ipv6)
      frame = lab::test::ipv6_packet(0, lab::test::extension_header(17) + lab::test::udp_datagram({1, 2}));
    else frame = Bytes(static_cast<std::size_t>(length(rng)), 0);
    for (auto& b : frame) {
      if (byte(rng) < 24) b = static_cast<std::uint8_t>(byte(rng));
    }
    if (!frame.empty() && byte(rng) < 64) frame.resize(static_cast<std::size_t>(byte(rng)) % frame.size());
    if (link == link_type::raw || link == link_type::ipv4) {
      if (!frame.empty()) frame[0] = static_cast<std::uint8_t>((frame[0] & 0x0F) | (byte(rng) < 128 ? 0x40 : 0x60));
    }

    const Frame f = frame_of(frame, link);
    const DecodedPacket p = decode_packet(f);
    CHECK(within(p.transport, f.bytes));
    CHECK(within(p.payload, f.bytes));
    CHECK(p.payload.size() <= p.payload_len);
    CHECK(p.transport.size() <= p.transport_len);
    if (p.error) CHECK(p.error->offset <= frame.size());
    if (p.tcp || p.udp || p.icmp) ++with_transport;
  }
  if (link == link_type::ethernet || link == link_type::null || link == link_type::ipv6) {
    CHECK(with_transport > 100);  // the damage left many frames decodable down to the transport
  }
}
