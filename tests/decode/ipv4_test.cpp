// IPv4 header: fields, the two lengths (declared vs captured), and every way the header can lie.
#include "capture/decode/ipv4.hpp"

#include <string>

#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::cut;

namespace {

// A 20-byte header carrying 4 bytes of UDP-ish payload.
const Bytes basic = {
    0x45,                    // version 4, IHL 5
    0xb8,                    // DSCP 46 (EF), ECN 0
    0x00, 0x18,              // total length 24
    0xab, 0xcd,              // identification
    0x40, 0x00,              // flags DF, fragment offset 0
    0x3f,                    // TTL 63
    0x11,                    // protocol UDP
    0x12, 0x34,              // header checksum (not checked here)
    0xc0, 0xa8, 0x01, 0x0a,  // source 192.168.1.10
    0x08, 0x08, 0x08, 0x08,  // destination 8.8.8.8
    0xde, 0xad, 0xbe, 0xef,  // payload
};

}  // namespace

TEST_CASE("IPv4: every field of a plain header") {
  const Ipv4Result r = decode_ipv4(basic);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  const Ipv4Header& h = *r.header;
  CHECK(h.ihl == 5);
  CHECK(h.header_len == 20);
  CHECK(h.tos == 0xb8);
  CHECK(h.total_length == 24);
  CHECK(h.identification == 0xabcd);
  CHECK(h.dont_fragment);
  CHECK_FALSE(h.more_fragments);
  CHECK(h.fragment_offset == 0);
  CHECK_FALSE(h.is_fragment());
  CHECK(h.ttl == 63);
  CHECK(h.protocol == 17);
  CHECK(h.checksum == 0x1234);
  CHECK(to_string(h.src) == "192.168.1.10");
  CHECK(to_string(h.dst) == "8.8.8.8");
  CHECK(h.options.empty());
  CHECK(r.payload_len == 4);
  REQUIRE(r.payload.size() == 4);
  CHECK(r.payload[0] == 0xde);
  CHECK(r.payload[3] == 0xef);
}

TEST_CASE("IPv4: each truncated length of the fixed header is 'truncated'") {
  const std::size_t len = GENERATE(range(0, 20));
  const Ipv4Result r = decode_ipv4(cut(basic, len));
  CHECK_FALSE(r.header);
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::ipv4);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 20);
  CHECK(r.error->present == len);
  CHECK(r.payload.empty());
}

TEST_CASE("IPv4: options cut by the capture keep the header") {
  const Bytes packet = lab::test::ipv4_packet({}, {.ihl = 8});  // 32-byte header, 12 bytes of options
  REQUIRE(decode_ipv4(packet).header->options.size() == 12);
  const std::size_t len = GENERATE(range(20, 32));
  const Ipv4Result r = decode_ipv4(cut(packet, len));
  REQUIRE(r.header);
  CHECK(r.header->header_len == 32);
  CHECK(r.header->options.size() == len - 20);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 32);
  CHECK(r.error->present == len);
}

TEST_CASE("IPv4: IHL below 5 is invalid") {
  const auto ihl = static_cast<std::uint8_t>(GENERATE(0, 1, 2, 3, 4));
  Bytes packet = basic;
  packet[0] = static_cast<std::uint8_t>(0x40 | ihl);
  const Ipv4Result r = decode_ipv4(packet);
  CHECK_FALSE(r.header);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 20);
  CHECK(r.error->present == ihl * 4u);
  CHECK(std::string(r.error->what) == "IPv4 header length (IHL) below 5");
}

TEST_CASE("IPv4: a version other than 4 is invalid, even when short") {
  Bytes packet = basic;
  packet[0] = 0x65;
  const std::size_t len = GENERATE(1, 10, 24);
  const Ipv4Result r = decode_ipv4(cut(packet, len));
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK_FALSE(r.header);
}

TEST_CASE("IPv4: total length shorter than the header is invalid") {
  const Bytes packet = lab::test::ipv4_packet(Bytes(8, 0), {.ihl = 6, .total_length = 20});
  const Ipv4Result r = decode_ipv4(packet);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 24);
  CHECK(r.error->present == 20);
}

TEST_CASE("IPv4: total length 0 (TSO) is accepted; the capture gives the length") {
  const Bytes packet = lab::test::ipv4_packet(Bytes(100, 0xaa), {.total_length = 0});
  const Ipv4Result r = decode_ipv4(packet);
  CHECK_FALSE(r.error);
  REQUIRE(r.header);
  CHECK(r.header->total_length == 0);
  CHECK(r.payload_len == 100);
  CHECK(r.payload.size() == 100);
}

TEST_CASE("IPv4: payload stops at total length (Ethernet padding is not payload)") {
  Bytes padded = basic + Bytes(18, 0x00);  // a 60-byte minimum Ethernet frame pads short packets
  const Ipv4Result r = decode_ipv4(padded);
  CHECK_FALSE(r.error);
  CHECK(r.payload_len == 4);
  CHECK(r.payload.size() == 4);
}

TEST_CASE("IPv4: payload cut by the snap length is shorter than declared, without error") {
  const Bytes packet = lab::test::ipv4_packet(Bytes(1000, 0x55));
  const Ipv4Result r = decode_ipv4(cut(packet, 96));
  CHECK_FALSE(r.error);
  CHECK(r.payload_len == 1000);
  CHECK(r.payload.size() == 76);
}

TEST_CASE("IPv4: fragment fields") {
  SECTION("first fragment: MF set, offset 0") {
    const Bytes packet = lab::test::ipv4_packet(Bytes(8, 0), {.flags_fragment = 0x2000});
    const Ipv4Result r = decode_ipv4(packet);
    REQUIRE(r.header);
    CHECK(r.header->more_fragments);
    CHECK_FALSE(r.header->dont_fragment);
    CHECK(r.header->fragment_offset == 0);
    CHECK(r.header->is_fragment());
  }
  SECTION("last fragment: offset 185 (1480 bytes), MF clear") {
    const Bytes packet = lab::test::ipv4_packet(Bytes(8, 0), {.flags_fragment = 0x00b9});
    const Ipv4Result r = decode_ipv4(packet);
    REQUIRE(r.header);
    CHECK_FALSE(r.header->more_fragments);
    CHECK(r.header->fragment_offset == 185);
    CHECK(r.header->is_fragment());
  }
}
