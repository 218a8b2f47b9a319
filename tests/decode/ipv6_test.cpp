// IPv6: the fixed header, and the extension-header chain walked to the upper-layer protocol.
#include "capture/decode/ipv6.hpp"

#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::cut;
using lab::test::extension_header;
using lab::test::ipv6_packet;

namespace {

constexpr std::uint8_t hop_by_hop = 0, tcp = 6, udp = 17, routing = 43, fragment = 44, esp = 50, ah = 51,
                       icmpv6 = 58, no_next = 59, dest_opts = 60;

Bytes fragment_header(std::uint8_t next, std::uint16_t offset_units, bool more, std::uint32_t id) {
  Bytes b = {
      next,  // next header
      0x00,  // reserved
  };
  lab::test::put16(b, static_cast<std::uint16_t>((offset_units << 3) | (more ? 1 : 0)));  // offset, M flag
  lab::test::put32(b, id);                                                                 // identification
  return b;
}

}  // namespace

TEST_CASE("IPv6: every field of the fixed header") {
  const Bytes packet = {
      0x6b, 0x81, 0x23, 0x45,                          // version 6, traffic class 0xb8, flow label 0x12345
      0x00, 0x04,                                      // payload length 4
      0x11,                                            // next header UDP
      0x01,                                            // hop limit 1
      0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // source fe80::1
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
      0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // destination ff02::fb
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfb,
      0xca, 0xfe, 0xf0, 0x0d,                          // payload
  };
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  const Ipv6Header& h = *r.header;
  CHECK(h.traffic_class == 0xb8);
  CHECK(h.flow_label == 0x12345);
  CHECK(h.payload_length == 4);
  CHECK(h.next_header == udp);
  CHECK(h.protocol == udp);
  CHECK(h.hop_limit == 1);
  CHECK(to_string(h.src) == "fe80::1");
  CHECK(to_string(h.dst) == "ff02::fb");
  CHECK(h.header_len == 40);
  CHECK(h.extension_count == 0);
  CHECK_FALSE(h.is_fragment);
  CHECK(r.payload_len == 4);
  REQUIRE(r.payload.size() == 4);
  CHECK(r.payload[0] == 0xca);
}

TEST_CASE("IPv6: each truncated length of the fixed header is 'truncated'") {
  const Bytes packet = ipv6_packet(udp, Bytes(8, 0));
  const std::size_t len = GENERATE(range(0, 40));
  const Ipv6Result r = decode_ipv6(cut(packet, len));
  CHECK_FALSE(r.header);
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::ipv6);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 40);
  CHECK(r.error->present == len);
}

TEST_CASE("IPv6: a version other than 6 is invalid") {
  Bytes packet = ipv6_packet(udp, Bytes(8, 0));
  packet[0] = 0x45;
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK_FALSE(r.header);
}

TEST_CASE("IPv6: the extension chain is walked to the upper layer") {
  // hop-by-hop (8) -> destination options (16) -> routing (8) -> TCP
  const Bytes packet = ipv6_packet(hop_by_hop, extension_header(dest_opts) + extension_header(routing, 1) +
                                                   extension_header(tcp) + lab::test::tcp_segment());
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  CHECK(r.header->next_header == hop_by_hop);
  CHECK(r.header->protocol == tcp);
  CHECK(r.header->extension_count == 3);
  CHECK(r.header->header_len == 40 + 8 + 16 + 8);
  CHECK(r.payload_len == 20);
  CHECK(r.payload.size() == 20);
}

TEST_CASE("IPv6: AH length counts 4-byte units plus 2") {
  const Bytes ah_header = {
      udp,                     // next header
      0x04,                    // payload len 4: (4 + 2) * 4 = 24 bytes
      0x00, 0x00,              // reserved
      0x00, 0x00, 0x01, 0x00,  // SPI
      0x00, 0x00, 0x00, 0x01,  // sequence number
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // integrity check value (12 bytes)
  };
  const Bytes packet = ipv6_packet(ah, ah_header + lab::test::udp_datagram({}));
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE_FALSE(r.error);
  CHECK(r.header->protocol == udp);
  CHECK(r.header->header_len == 64);
  CHECK(r.payload_len == 8);
}

TEST_CASE("IPv6: ESP and no-next-header stop the walk") {
  const auto stop = static_cast<std::uint8_t>(GENERATE(esp, no_next));
  const Bytes packet = ipv6_packet(hop_by_hop, extension_header(stop) + Bytes(16, 0x99));
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE_FALSE(r.error);
  CHECK(r.header->protocol == stop);
  CHECK(r.header->header_len == 48);
  CHECK(r.payload_len == 16);
}

TEST_CASE("IPv6: fragment header") {
  SECTION("first fragment: the walk continues to the transport header") {
    const Bytes packet = ipv6_packet(fragment, fragment_header(icmpv6, 0, true, 0xdeadbeef) + Bytes(8, 0));
    const Ipv6Result r = decode_ipv6(packet);
    REQUIRE_FALSE(r.error);
    CHECK(r.header->is_fragment);
    CHECK(r.header->more_fragments);
    CHECK(r.header->fragment_offset == 0);
    CHECK(r.header->fragment_id == 0xdeadbeef);
    CHECK(r.header->protocol == icmpv6);
    CHECK(r.header->header_len == 48);
  }
  SECTION("later fragment: what follows is data, not headers") {
    // The next header says "destination options" but the bytes are the middle of the original packet.
    const Bytes packet =
        ipv6_packet(fragment, fragment_header(dest_opts, 181, false, 7) + Bytes{0xff, 0xff, 0xff, 0xff});
    const Ipv6Result r = decode_ipv6(packet);
    REQUIRE_FALSE(r.error);
    CHECK(r.header->is_fragment);
    CHECK_FALSE(r.header->more_fragments);
    CHECK(r.header->fragment_offset == 181);
    CHECK(r.header->header_len == 48);
    CHECK(r.payload.size() == 4);
  }
}

TEST_CASE("IPv6: an extension header cut by the capture is 'truncated' at its offset") {
  const Bytes packet = ipv6_packet(dest_opts, extension_header(tcp, 1) + lab::test::tcp_segment());
  const std::size_t len = GENERATE(range(40, 56));  // the 16-byte destination options header
  const Ipv6Result r = decode_ipv6(cut(packet, len));
  REQUIRE(r.header);  // the fixed header is kept
  CHECK(r.header->header_len == 40);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->offset == 40);
  CHECK(r.error->needed == (len < 42 ? 2u : 16u));
  CHECK(r.error->present == len - 40);
}

TEST_CASE("IPv6: an extension header past the payload length is invalid") {
  // Payload length says 8, but the hop-by-hop header claims 16 bytes.
  const Bytes packet = ipv6_packet(hop_by_hop, extension_header(udp, 1) + lab::test::udp_datagram({}), 8);
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->offset == 40);
  CHECK(r.error->needed == 16);
  CHECK(r.error->present == 8);
}

TEST_CASE("IPv6: an endless extension chain is cut off") {
  Bytes chain;
  for (int i = 0; i < 20; ++i) chain = chain + extension_header(dest_opts);
  const Bytes packet = ipv6_packet(dest_opts, chain);
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.header->extension_count == 16);
}

TEST_CASE("IPv6: payload length 0 (jumbogram or TSO) uses the captured length") {
  const Bytes packet = ipv6_packet(udp, Bytes(30, 0), 0);
  const Ipv6Result r = decode_ipv6(packet);
  REQUIRE_FALSE(r.error);
  CHECK(r.payload_len == 30);
  CHECK(r.payload.size() == 30);
}

TEST_CASE("IPv6: with payload length 0, a cut extension header is 'truncated', not 'invalid'") {
  const Bytes packet = ipv6_packet(hop_by_hop, extension_header(udp, 1), 0);
  const Ipv6Result r = decode_ipv6(cut(packet, 50));
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->needed == 16);
  CHECK(r.error->present == 10);
}

TEST_CASE("IPv6: snap-length-cut payload, no error") {
  const Bytes packet = ipv6_packet(tcp, lab::test::tcp_segment({.payload = Bytes(1400, 0)}));
  const Ipv6Result r = decode_ipv6(cut(packet, 100));
  REQUIRE_FALSE(r.error);
  CHECK(r.payload_len == 1420);
  CHECK(r.payload.size() == 60);
}
