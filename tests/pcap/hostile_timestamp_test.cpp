// Regression (found by the sanitizer run over ../shared/corpus: ws-dhcp_*_endian-2.pcapng): pcapng stores
// 64-bit timestamps, and a file claiming 4.6e12 seconds made seconds * 1e9 overflow a signed 64-bit integer.
#include <cstdint>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/pcap/file_reader.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"

namespace {

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {  // little-endian section
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// A pcapng file: section header, one Ethernet interface (microsecond resolution), one enhanced packet block
// whose timestamp is `ts_high:ts_low` microseconds.
std::vector<std::uint8_t> pcapng_with_timestamp(std::uint32_t ts_high, std::uint32_t ts_low) {
  std::vector<std::uint8_t> f;
  put32(f, 0x0A0D0D0A);  // section header block
  put32(f, 28);          // block length
  put32(f, 0x1A2B3C4D);  // byte-order magic
  put32(f, 0x00000001);  // version 1.0
  put32(f, 0xFFFFFFFF);  // section length: unknown
  put32(f, 0xFFFFFFFF);
  put32(f, 28);
  put32(f, 0x00000001);  // interface description block
  put32(f, 20);
  put32(f, 0x00000001);  // link type 1 (Ethernet), reserved 0
  put32(f, 65535);       // snap length
  put32(f, 20);
  put32(f, 0x00000006);  // enhanced packet block
  put32(f, 32 + 4);      // block length: 28 bytes of fields + 4 of data + trailing length
  put32(f, 0);           // interface 0
  put32(f, ts_high);     // timestamp, high 32 bits
  put32(f, ts_low);      // timestamp, low 32 bits
  put32(f, 4);           // captured length
  put32(f, 4);           // original length
  put32(f, 0xDEADBEEF);  // 4 bytes of "packet"
  put32(f, 32 + 4);
  return f;
}

}  // namespace

TEST_CASE("a pcapng timestamp far beyond 2106 is clamped, never overflowing nanoseconds") {
  lab::pcap::test::TempDir dir;
  const std::string path = dir.file("far-future.pcapng");
  lab::pcap::test::write_bytes(path, pcapng_with_timestamp(0x40000000, 0));  // 2^62 µs: about 4.6e12 s
  lab::pcap::FileReader reader(path);
  lab::decode::Frame frame;
  REQUIRE(reader.next(frame));
  // 2^62 µs is 4,611,686,018,427 s and 387,904 µs: the seconds are clamped to 2^32 - 1, as classic pcap holds.
  CHECK(frame.time_ns == std::int64_t{0xFFFFFFFF} * 1'000'000'000 + 387'904'000);
  CHECK(frame.bytes.size() == 4);
  CHECK_FALSE(reader.next(frame));
}
