// UDP and ICMP/ICMPv6: fixed 8-byte headers, and the lengths around them.
#include <string>

#include "capture/decode/icmp.hpp"
#include "capture/decode/udp.hpp"
#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::cut;

namespace {

const Bytes dns_query = {
    0xd9, 0x03,  // source port 55555
    0x00, 0x35,  // destination port 53
    0x00, 0x0c,  // length 12
    0xbe, 0xef,  // checksum
    0x12, 0x34,  // data: DNS transaction id...
    0x01, 0x00,  // ...and flags
};

}  // namespace

TEST_CASE("UDP: header fields and payload") {
  const UdpResult r = decode_udp(dns_query, 12);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  CHECK(r.header->src_port == 55555);
  CHECK(r.header->dst_port == 53);
  CHECK(r.header->length == 12);
  CHECK(r.header->checksum == 0xbeef);
  CHECK(r.payload_len == 4);
  REQUIRE(r.payload.size() == 4);
  CHECK(r.payload[0] == 0x12);
}

TEST_CASE("UDP: every truncated length of the header is 'truncated'") {
  const std::size_t len = GENERATE(range(0, 8));
  const UdpResult r = decode_udp(cut(dns_query, len), 12);
  CHECK_FALSE(r.header);
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::udp);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 8);
  CHECK(r.error->present == len);
}

TEST_CASE("UDP: length below 8 is invalid") {
  const auto length = static_cast<std::uint16_t>(GENERATE(0, 1, 7));
  const Bytes datagram = lab::test::udp_datagram(Bytes(4, 0), length);
  const UdpResult r = decode_udp(datagram, 12);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 8);
  CHECK(r.error->present == length);
  CHECK(std::string(r.error->what) == "UDP length below 8");
  REQUIRE(r.header);  // the ports are still good
  CHECK(r.header->dst_port == 53);
  CHECK(r.payload_len == 0);
}

TEST_CASE("UDP: length longer than the IP payload is invalid") {
  const Bytes datagram = lab::test::udp_datagram(Bytes(4, 0), 100);
  const UdpResult r = decode_udp(datagram, 12);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 100);
  CHECK(r.error->present == 12);
  CHECK(r.payload.size() == 4);  // what IP carried
}

TEST_CASE("UDP: length shorter than the IP payload: the rest is not data") {
  const Bytes datagram = lab::test::udp_datagram(Bytes(10, 0), 10);
  const UdpResult r = decode_udp(datagram, 18);
  REQUIRE_FALSE(r.error);
  CHECK(r.payload_len == 2);
  CHECK(r.payload.size() == 2);
}

TEST_CASE("UDP: an IP payload too short for a UDP header is invalid") {
  const UdpResult r = decode_udp(dns_query, 6);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->present == 6);
}

TEST_CASE("UDP: snap-length-cut data, no error") {
  const Bytes datagram = lab::test::udp_datagram(Bytes(1000, 0));
  const UdpResult r = decode_udp(cut(datagram, 50), 1008);
  REQUIRE_FALSE(r.error);
  CHECK(r.payload_len == 1000);
  CHECK(r.payload.size() == 42);
}

TEST_CASE("ICMP: echo request") {
  const Bytes echo = {
      0x08,        // type 8: echo request
      0x00,        // code 0
      0x21, 0x04,  // checksum
      0x12, 0x34,  // identifier
      0x00, 0x01,  // sequence number 1
      'a', 'b', 'c', 'd',  // data
  };
  const IcmpResult r = decode_icmp(echo, 12);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  CHECK_FALSE(r.header->v6);
  CHECK(r.header->type == 8);
  CHECK(r.header->code == 0);
  CHECK(r.header->checksum == 0x2104);
  CHECK(r.header->identifier == 0x1234);
  CHECK(r.header->sequence == 1);
  CHECK_FALSE(r.header->is_error);
  CHECK(r.payload_len == 4);
  CHECK(r.payload.size() == 4);

  const std::size_t len = GENERATE(range(0, 8));
  const IcmpResult short_r = decode_icmp(cut(echo, len), 12);
  REQUIRE(short_r.error);
  CHECK(short_r.error->layer == Layer::icmp);
  CHECK(short_r.error->kind == ErrorKind::truncated);
  CHECK(short_r.error->present == len);
}

TEST_CASE("ICMP: destination unreachable quotes the original packet") {
  const Bytes unreachable = lab::test::Bytes{
                                0x03,                    // type 3: destination unreachable
                                0x03,                    // code 3: port unreachable
                                0x00, 0x00,              // checksum
                                0x00, 0x00, 0x00, 0x00,  // unused
                            } +
                            lab::test::ipv4_packet(lab::test::udp_datagram({}), {.protocol = 17});
  const IcmpResult r = decode_icmp(unreachable, static_cast<std::uint32_t>(unreachable.size()));
  REQUIRE_FALSE(r.error);
  CHECK(r.header->is_error);
  CHECK(r.header->identifier == 0);
  CHECK(r.payload.size() == 28);
  CHECK(r.payload[0] == 0x45);  // the quoted IPv4 header
}

TEST_CASE("ICMPv6: echo reply and an error type") {
  const Bytes reply = {
      0x81,        // type 129: echo reply
      0x00,        // code 0
      0x00, 0x00,  // checksum
      0xbe, 0xef,  // identifier
      0x00, 0x07,  // sequence number 7
  };
  const IcmpResult r = decode_icmpv6(reply, 8);
  REQUIRE_FALSE(r.error);
  CHECK(r.header->v6);
  CHECK(r.header->type == 129);
  CHECK(r.header->identifier == 0xbeef);
  CHECK(r.header->sequence == 7);
  CHECK_FALSE(r.header->is_error);
  CHECK(r.payload_len == 0);

  Bytes too_big = reply;
  too_big[0] = 2;  // type 2: packet too big
  CHECK(decode_icmpv6(too_big, 8).header->is_error);

  const std::size_t len = GENERATE(range(0, 8));
  const IcmpResult short_r = decode_icmpv6(cut(reply, len), 8);
  REQUIRE(short_r.error);
  CHECK(short_r.error->layer == Layer::icmpv6);
  CHECK(short_r.error->kind == ErrorKind::truncated);
}

TEST_CASE("ICMP: an IP payload shorter than 8 bytes is invalid") {
  const Bytes four = {0x08, 0x00, 0x00, 0x00};
  const IcmpResult r = decode_icmp(four, 4);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
}
