// TCP: the fixed header, data offset checks, and the option walk.
#include "capture/decode/tcp.hpp"

#include <string>

#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using namespace lab::decode;
using lab::test::Bytes;
using lab::test::operator+;
using lab::test::cut;
using lab::test::tcp_segment;

namespace {

// The TCP header of the reference Linux SYN (frames.hpp), offset 34 in that frame.
Bytes linux_syn_tcp() { return Bytes(lab::test::linux_syn.begin() + 34, lab::test::linux_syn.end()); }

// The whole segment captured. `segment` must outlive the result: the payload is a view into it.
TcpResult decode_whole(const Bytes& segment) {
  return decode_tcp(segment, static_cast<std::uint32_t>(segment.size()));
}

// What option tests look at: the header (a value, no views) and the error.
struct OptionsResult {
  std::optional<TcpHeader> header;
  std::optional<DecodeError> error;
};

// A segment with the given option bytes. Callers pad them to a multiple of 4 themselves (with NOPs where it
// matters: zero padding is EOL).
OptionsResult with_options(const Bytes& options) {
  const Bytes segment = tcp_segment({.options = options});
  const TcpResult r = decode_whole(segment);
  return {r.header, r.error};
}

}  // namespace

TEST_CASE("TCP: a real Linux SYN, fields and options") {
  const Bytes segment = linux_syn_tcp();
  const TcpResult r = decode_whole(segment);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.header);
  const TcpHeader& h = *r.header;
  CHECK(h.src_port == 54321);
  CHECK(h.dst_port == 8080);
  CHECK(h.seq == 0x3ade68b1);
  CHECK(h.ack == 0);
  CHECK(h.data_offset == 10);
  CHECK(h.header_len == 40);
  CHECK(h.flags == tcp_flag::syn);
  CHECK(h.has(tcp_flag::syn));
  CHECK_FALSE(h.has(tcp_flag::ack));
  CHECK(h.window == 65495);
  CHECK(h.checksum == 0x6238);
  CHECK(h.urgent_pointer == 0);

  const TcpOptions& o = h.options;
  CHECK(o.mss == 65495);
  CHECK(o.sack_permitted);
  CHECK(o.has_timestamps);
  CHECK(o.ts_val == 0x1a2b3c4d);
  CHECK(o.ts_ecr == 0);
  CHECK(o.nop_count == 1);
  CHECK(o.window_scale == 7);
  CHECK(o.sack_count == 0);
  CHECK_FALSE(o.eol);
  CHECK(o.unknown_count == 0);

  CHECK(r.payload_len == 0);
  CHECK(r.payload.empty());
}

TEST_CASE("TCP: every truncated length of the header is 'truncated'") {
  const Bytes segment = linux_syn_tcp();  // 40-byte header: 20 fixed + 20 options
  const std::size_t len = GENERATE(range(0, 40));
  const TcpResult r = decode_tcp(cut(segment, len), 40);
  REQUIRE(r.error);
  CHECK(r.error->layer == Layer::tcp);
  CHECK(r.error->kind == ErrorKind::truncated);
  CHECK(r.error->present == len);
  if (len < 20) {
    CHECK_FALSE(r.header);
    CHECK(r.error->needed == 20);
    CHECK(std::string(r.error->what) == "TCP header cut short by the capture");
  } else {
    REQUIRE(r.header);  // fixed header kept, options not walked
    CHECK(r.header->src_port == 54321);
    CHECK(r.error->needed == 40);
  }
}

TEST_CASE("TCP: data offset below 5 is invalid") {
  const auto offset = static_cast<std::uint8_t>(GENERATE(0, 1, 2, 3, 4));
  const Bytes segment = tcp_segment({.data_offset = offset});
  const TcpResult r = decode_whole(segment);
  CHECK_FALSE(r.header);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 20);
  CHECK(r.error->present == offset * 4u);
  CHECK(std::string(r.error->what) == "TCP data offset below 5");
}

TEST_CASE("TCP: data offset past the end of the segment is invalid") {
  // Data offset 15 (60 bytes) in a 24-byte segment.
  const Bytes segment = tcp_segment({.options = Bytes(4, 0x01), .data_offset = 15});
  const TcpResult r = decode_whole(segment);
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->needed == 60);
  CHECK(r.error->present == 24);
  REQUIRE(r.header);
  CHECK(r.header->header_len == 60);
}

TEST_CASE("TCP: a segment shorter than any TCP header is invalid") {
  const Bytes segment = tcp_segment();
  const TcpResult r = decode_tcp(segment, 12);  // IP says the segment is 12 bytes
  REQUIRE(r.error);
  CHECK(r.error->kind == ErrorKind::invalid);
  CHECK(r.error->present == 12);
}

TEST_CASE("TCP: payload and its declared length") {
  SECTION("all captured") {
    const Bytes segment = tcp_segment({.payload = {'G', 'E', 'T'}});
    const TcpResult r = decode_whole(segment);
    REQUIRE_FALSE(r.error);
    CHECK(r.payload_len == 3);
    REQUIRE(r.payload.size() == 3);
    CHECK(r.payload[0] == 'G');
  }
  SECTION("cut by the snap length: shorter span, no error") {
    const Bytes segment = tcp_segment({.payload = Bytes(500, 'x')});
    const TcpResult r = decode_tcp(cut(segment, 64), 520);
    REQUIRE_FALSE(r.error);
    CHECK(r.payload_len == 500);
    CHECK(r.payload.size() == 44);
  }
  SECTION("bytes past the declared segment are not payload") {
    const Bytes segment = tcp_segment({.payload = Bytes(10, 'x')});
    const TcpResult r = decode_tcp(segment, 25);
    CHECK(r.payload_len == 5);
    CHECK(r.payload.size() == 5);
  }
}

TEST_CASE("TCP options: SACK blocks") {
  const int blocks = GENERATE(1, 2, 3, 4);
  Bytes options = {
      0x01,                                            // NOP
      0x01,                                            // NOP
      0x05,                                            // SACK
      static_cast<std::uint8_t>(2 + 8 * blocks),       // length 2 + 8n
  };
  for (int i = 0; i < blocks; ++i) {
    lab::test::put32(options, 1000u * (i + 1));        // left edge
    lab::test::put32(options, 1000u * (i + 1) + 500);  // right edge
  }
  if (blocks == 4) options.erase(options.begin(), options.begin() + 2);  // 34 + 2 NOPs would not fit in 40
  while (options.size() % 4 != 0) options.push_back(0x01);
  const OptionsResult r = with_options(options);
  REQUIRE_FALSE(r.error);
  const TcpOptions& o = r.header->options;
  REQUIRE(o.sack_count == blocks);
  for (int i = 0; i < blocks; ++i) {
    CHECK(o.sack[i].left == 1000u * (i + 1));
    CHECK(o.sack[i].right == 1000u * (i + 1) + 500);
  }
}

TEST_CASE("TCP options: EOL ends the walk early") {
  const Bytes options = {
      0x02, 0x04, 0x05, 0xb4,  // MSS 1460
      0x00,                    // EOL: the rest is padding
      0x03, 0x03, 0x07,        // would be window scale 7, but after EOL it is ignored
  };
  const OptionsResult r = with_options(options);
  REQUIRE_FALSE(r.error);
  CHECK(r.header->options.mss == 1460);
  CHECK(r.header->options.eol);
  CHECK_FALSE(r.header->options.window_scale);
}

TEST_CASE("TCP options: an unknown kind is skipped by its length") {
  const Bytes options = {
      0x1e, 0x06, 0xaa, 0xbb, 0xcc, 0xdd,  // kind 30 (MPTCP), length 6
      0x03, 0x03, 0x02,                    // window scale 2
      0x01,                                // NOP
      0x01, 0x01,                          // NOP, NOP
  };
  const OptionsResult r = with_options(options);
  REQUIRE_FALSE(r.error);
  CHECK(r.header->options.unknown_count == 1);
  CHECK(r.header->options.window_scale == 2);
  CHECK(r.header->options.nop_count == 3);
}

TEST_CASE("TCP options: malformed options keep the header and the options before them") {
  SECTION("length 0 or 1") {
    const auto length = static_cast<std::uint8_t>(GENERATE(0, 1));
    const Bytes options = {
        0x02, 0x04, 0x05, 0xb4,  // MSS 1460 (good)
        0x08, length,            // timestamps with length 0/1: cannot even cover itself
        0x01, 0x01,              // NOPs
    };
    const OptionsResult r = with_options(options);
    REQUIRE(r.header);
    CHECK(r.header->options.mss == 1460);
    REQUIRE(r.error);
    CHECK(r.error->layer == Layer::tcp);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.error->present == length);
    CHECK(std::string(r.error->what) == "TCP option length below 2");
  }
  SECTION("an option running past the header") {
    const Bytes options = {
        0x04, 0x02,              // SACK permitted (good)
        0x08, 0x0a, 0x00, 0x00,  // timestamps claims 10 bytes, only 6 left in the header
        0x00, 0x01,
    };
    const OptionsResult r = with_options(options);
    REQUIRE(r.header);
    CHECK(r.header->options.sack_permitted);
    CHECK_FALSE(r.header->options.has_timestamps);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.error->needed == 32);   // the option would end at byte 32 of the header
    CHECK(r.error->present == 28);  // the header is 28 bytes
  }
  SECTION("a kind with no room for its length byte") {
    const Bytes options = {
        0x01, 0x01, 0x01,  // NOPs
        0x02,              // MSS, and the header ends
    };
    const OptionsResult r = with_options(options);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.header->options.nop_count == 3);
  }
  SECTION("a SACK length that is not 2 + 8n") {
    const auto length = static_cast<std::uint8_t>(GENERATE(2, 9, 11, 17));
    Bytes options = {0x05, length};
    options.resize(20, 0x01);  // room for the claimed length, NOP-filled
    const OptionsResult r = with_options(options);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.error->present == length);
    CHECK(r.header->options.sack_count == 0);
  }
  SECTION("a known option with the wrong length") {
    const auto [kind, length] = GENERATE(table<std::uint8_t, std::uint8_t>({
        {2, 3},   // MSS is 4
        {3, 4},   // window scale is 3
        {4, 3},   // SACK permitted is 2
        {8, 8},   // timestamps is 10
    }));
    Bytes options = {kind, length};
    options.resize(12, 0x00);
    const OptionsResult r = with_options(options);
    REQUIRE(r.header);
    REQUIRE(r.error);
    CHECK(r.error->kind == ErrorKind::invalid);
    CHECK(r.error->present == length);
    CHECK_FALSE(r.header->options.mss);
    CHECK_FALSE(r.header->options.window_scale);
  }
}
