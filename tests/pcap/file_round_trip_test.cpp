// FileWriter -> FileReader: what goes into a file comes back to the nanosecond, and the file is one that
// tcpdump and tshark read.
#include <sstream>

#include "capture/pcap/file_reader.hpp"
#include "capture/pcap/file_writer.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::decode::Frame;
using lab::pcap::FileReader;
using lab::pcap::FileWriter;
using namespace lab::pcap::test;
namespace link_type = lab::decode::link_type;

namespace {

// Three frames: plain, one cut by the snap length (wire_len > captured), one a nanosecond before a second.
std::vector<StoredFrame> sample_frames() {
  std::vector<StoredFrame> frames;
  frames.push_back({1'700'000'000'123'456'789, link_type::ethernet, 0, udp_frame(40000, 5005, "hello")});
  frames.back().wire_len = static_cast<std::uint32_t>(frames.back().bytes.size());
  frames.push_back({1'700'000'001'000'000'001, link_type::ethernet, 1514, udp_frame(5005, 40000, "cut")});
  frames.push_back({1'700'000'002'999'999'999, link_type::ethernet, 0, udp_frame(1, 2, "last")});
  frames.back().wire_len = static_cast<std::uint32_t>(frames.back().bytes.size());
  return frames;
}

void write_file(const std::string& path, const std::vector<StoredFrame>& frames) {
  FileWriter writer(path, link_type::ethernet);
  for (const auto& stored : frames)
    writer.on_frame(Frame{stored.time_ns, stored.link_type, stored.wire_len, stored.bytes});
  writer.flush();
}

std::vector<StoredFrame> read_file(const std::string& path, const std::string& filter = "") {
  FileReader reader(path, filter);
  CollectingSink sink;
  Frame frame;
  while (reader.next(frame)) sink.on_frame(frame);
  return sink.frames;
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("a written file reads back to the nanosecond", "[pcap][file]") {
  TempDir dir;
  const auto path = dir.file("round-trip.pcap");
  const auto written = sample_frames();
  write_file(path, written);

  FileReader reader(path);
  CHECK(reader.link_type() == link_type::ethernet);
  const auto read = read_file(path);
  REQUIRE(read.size() == written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    INFO("frame " << i);
    CHECK(read[i].time_ns == written[i].time_ns);
    CHECK(read[i].link_type == link_type::ethernet);
    CHECK(read[i].wire_len == written[i].wire_len);
    CHECK(read[i].bytes == written[i].bytes);
  }
  CHECK(read[1].wire_len > read[1].bytes.size());  // the snap-length cut survives the round trip

  // The nanosecond pcap magic, as libpcap writes it in host order (little-endian here): 4d 3c b2 a1.
  const auto bytes = read_bytes(path);
  REQUIRE(bytes.size() >= 4);
  const std::uint32_t magic = std::uint32_t(bytes[0]) | std::uint32_t(bytes[1]) << 8 |
                              std::uint32_t(bytes[2]) << 16 | std::uint32_t(bytes[3]) << 24;
  CHECK((magic == 0xa1b23c4d || magic == 0x4d3cb2a1));
}

TEST_CASE("a filter keeps only the matching frames of a file", "[pcap][file]") {
  TempDir dir;
  const auto path = dir.file("filtered.pcap");
  write_file(path, sample_frames());
  const auto read = read_file(path, "udp dst port 5005");
  REQUIRE(read.size() == 1);
  CHECK(read[0].time_ns == 1'700'000'000'123'456'789);
}

TEST_CASE("a frame longer than the snap length is cut to it, its wire length kept", "[pcap][file]") {
  TempDir dir;
  const auto path = dir.file("snap.pcap");
  const auto bytes = udp_frame(1, 2, std::string(100, 'x'));
  {
    FileWriter writer(path, link_type::ethernet, 64);
    writer.on_frame(Frame{1, link_type::ethernet, static_cast<std::uint32_t>(bytes.size()), bytes});
    writer.flush();
  }
  const auto read = read_file(path);
  REQUIRE(read.size() == 1);
  CHECK(read[0].bytes.size() == 64);
  CHECK(read[0].wire_len == bytes.size());
  CHECK(std::equal(read[0].bytes.begin(), read[0].bytes.end(), bytes.begin()));
}

TEST_CASE("tcpdump reads a written file, nanoseconds included", "[pcap][file][tools]") {
  if (!program_exists("tcpdump")) {
    LAB_SKIP("tcpdump is not installed: not checked");
  }
  TempDir dir;
  const auto path = dir.file("for-tcpdump.pcap");
  write_file(path, sample_frames());
  const auto result = run_program({"tcpdump", "-nn", "--nano", "-tt", "-r", path}, std::chrono::seconds(20));
  INFO(result.output);
  REQUIRE_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  CHECK(count_lines(result.output) == 3);
  CHECK(result.output.rfind("1700000000.123456789 IP 127.0.0.1.40000 > 127.0.0.1.5005: UDP, length 5", 0) == 0);
}

TEST_CASE("tshark reads a written file", "[pcap][file][tools]") {
  if (!program_exists("tshark")) {
    LAB_SKIP("tshark is not installed: not checked");
  }
  TempDir dir;
  const auto path = dir.file("for-tshark.pcap");
  write_file(path, sample_frames());
  const auto result = run_program({"tshark", "-n", "-r", path}, std::chrono::seconds(60));
  INFO(result.output);
  REQUIRE_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  CHECK(count_lines(result.output) == 3);
}

TEST_CASE("a pcapng file reads too", "[pcap][file][tools]") {
  if (!program_exists("editcap")) {
    LAB_SKIP("editcap (Wireshark) is not installed: no pcapng file to read");
  }
  TempDir dir;
  const auto pcap = dir.file("source.pcap");
  const auto pcapng = dir.file("converted.pcapng");
  const auto written = sample_frames();
  write_file(pcap, written);
  const auto result = run_program({"editcap", "-F", "pcapng", pcap, pcapng}, std::chrono::seconds(60));
  REQUIRE_FALSE(result.timed_out);
  REQUIRE(result.exit_code == 0);

  const auto read = read_file(pcapng);
  REQUIRE(read.size() == written.size());
  for (std::size_t i = 0; i < read.size(); ++i) {
    INFO("frame " << i);
    CHECK(read[i].time_ns == written[i].time_ns);
    CHECK(read[i].wire_len == written[i].wire_len);
    CHECK(read[i].bytes == written[i].bytes);
  }
}
