// The Internet checksum: RFC 1071's example, then real packets that verify, and the same packets with one
// byte flipped.
#include "capture/decode/checksum.hpp"

#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::frame_of;

TEST_CASE("ones_complement_sum: RFC 1071 section 3 example") {
  const Bytes data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(ones_complement_sum(data) == 0xddf2);
  // Chaining partial sums gives the same result (how the pseudo-header is added).
  const auto first = ones_complement_sum(std::span(data).first(4));
  CHECK(ones_complement_sum(std::span(data).subspan(4), first) == 0xddf2);
}

TEST_CASE("ones_complement_sum: an odd length is padded with a zero byte") {
  const Bytes odd = {0x12, 0x34, 0x56};
  CHECK(ones_complement_sum(odd) == 0x1234 + 0x5600);
  CHECK(ones_complement_sum(Bytes{}) == 0);
  const Bytes carries = {0xff, 0xff, 0xff, 0xff, 0x00, 0x02};
  CHECK(ones_complement_sum(carries) == 0x0002);  // 0xffff + 0xffff + 2 = 0x20000 -> fold -> 0x0002
}

TEST_CASE("IPv4 header checksum") {
  Bytes frame = lab::test::linux_syn;
  const auto ip_header = [&] { return std::span<const std::uint8_t>(frame).subspan(14); };
  CHECK(ipv4_header_checksum(decode_packet(frame_of(frame)), ip_header()) == ChecksumStatus::good);

  frame[14 + 8] = 0x3f;  // TTL 64 -> 63 without updating the checksum
  CHECK(ipv4_header_checksum(decode_packet(frame_of(frame)), ip_header()) == ChecksumStatus::bad);

  // Not enough bytes given, or no IPv4 header: unknown.
  CHECK(ipv4_header_checksum(decode_packet(frame_of(frame)), ip_header().first(10)) == ChecksumStatus::unknown);
  CHECK(ipv4_header_checksum(decode_packet(frame_of(lab::test::udp_over_ipv6)), ip_header()) ==
        ChecksumStatus::unknown);
}

TEST_CASE("TCP over IPv4: correct checksum is good, any flipped byte is bad") {
  const Bytes frame = lab::test::linux_syn;
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::good);

  // Every byte of the TCP header, and the IP addresses/protocol in the pseudo-header, is covered.
  const std::size_t position = GENERATE(26, 29, 33, 34, 40, 50, 60, 73);
  Bytes flipped = frame;
  flipped[position] ^= 0x01;
  const DecodedPacket packet = decode_packet(frame_of(flipped));
  REQUIRE(packet.tcp);
  CHECK(transport_checksum(packet) == ChecksumStatus::bad);
}

TEST_CASE("UDP over IPv6: correct checksum is good, a flipped byte is bad") {
  const Bytes frame = lab::test::udp_over_ipv6;
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::good);

  const std::size_t position = GENERATE(22, 53, 54, 62, 64);  // source, destination, port, data
  Bytes flipped = frame;
  flipped[position] ^= 0x80;
  CHECK(transport_checksum(decode_packet(frame_of(flipped))) == ChecksumStatus::bad);
}

TEST_CASE("UDP over IPv4: good, bad, and absent when the checksum is 0") {
  Bytes frame = lab::test::udp_over_ipv4;
  const auto ip_header = std::span<const std::uint8_t>(frame).subspan(14);
  CHECK(ipv4_header_checksum(decode_packet(frame_of(frame)), ip_header) == ChecksumStatus::good);
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::good);

  frame[44] ^= 0x01;  // data
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::bad);

  frame[40] = 0x00;  // checksum field 0: the sender computed none
  frame[41] = 0x00;
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::absent);
}

TEST_CASE("UDP over IPv6 with checksum 0 is bad, not absent (RFC 8200 8.1)") {
  Bytes frame = lab::test::udp_over_ipv6;
  frame[60] = 0x00;
  frame[61] = 0x00;
  CHECK(transport_checksum(decode_packet(frame_of(frame))) == ChecksumStatus::bad);
}

TEST_CASE("ICMP has no pseudo-header, ICMPv6 has one") {
  const Bytes icmp_echo = {
      0x08,                // type 8: echo request
      0x00,                // code 0
      0x21, 0x04,          // checksum
      0x12, 0x34,          // identifier
      0x00, 0x01,          // sequence number 1
      'a', 'b', 'c', 'd',  // data
  };
  const Bytes v4 = lab::test::ipv4_packet(icmp_echo, {.protocol = 1});
  CHECK(transport_checksum(decode_packet(frame_of(v4, link_type::raw))) == ChecksumStatus::good);

  Bytes v6_echo = icmp_echo;
  v6_echo[0] = 128;  // echo request for ICMPv6
  v6_echo[2] = 0xa8;  // its checksum over ::1 -> ::1 with the pseudo-header
  v6_echo[3] = 0xbb;
  Bytes v6 = lab::test::ipv6_packet(58, v6_echo);
  for (std::size_t i = 8; i < 40; ++i) v6[i] = 0;  // source and destination ::1
  v6[23] = 1;
  v6[39] = 1;
  CHECK(transport_checksum(decode_packet(frame_of(v6, link_type::raw))) == ChecksumStatus::good);
  v6[39] = 2;  // another destination: the pseudo-header no longer matches
  CHECK(transport_checksum(decode_packet(frame_of(v6, link_type::raw))) == ChecksumStatus::bad);
}

TEST_CASE("checksum unknown: payload not all captured, fragments, no transport") {
  SECTION("snap length cut the segment") {
    const Bytes frame = lab::test::linux_syn;
    const Bytes captured(frame.begin(), frame.end() - 1);
    const DecodedPacket packet = decode_packet(frame_of(captured));
    REQUIRE(packet.tcp);  // header cut, but...
    CHECK(transport_checksum(packet) == ChecksumStatus::unknown);
  }
  SECTION("payload cut") {
    const Bytes frame = lab::test::udp_over_ipv4;
    const Bytes captured(frame.begin(), frame.end() - 1);
    const DecodedPacket packet = decode_packet(frame_of(captured));
    REQUIRE(packet.udp);
    REQUIRE_FALSE(packet.error);
    CHECK(transport_checksum(packet) == ChecksumStatus::unknown);
  }
  SECTION("first fragment: the checksum covers bytes in later fragments") {
    Bytes frame = lab::test::udp_over_ipv4;
    frame[20] = 0x20;  // MF set
    const DecodedPacket packet = decode_packet(frame_of(frame));
    REQUIRE(packet.udp);
    CHECK(transport_checksum(packet) == ChecksumStatus::unknown);
  }
  SECTION("no transport header") {
    const Bytes arp = lab::test::ethernet_header(0x0806) + Bytes(28, 0);
    CHECK(transport_checksum(decode_packet(frame_of(arp))) == ChecksumStatus::unknown);
  }
}
