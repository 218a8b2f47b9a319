// FileReader on files that are missing, empty, not captures, lying about a record's length, or cut short:
// each is one CaptureError (kind file) that names the file, after every complete record was returned.
#include <sys/resource.h>

#include "capture/pcap/file_reader.hpp"
#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/pcap_error.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"

using lab::decode::Frame;
using lab::pcap::CaptureError;
using lab::pcap::CaptureErrorKind;
using lab::pcap::FileReader;
using lab::pcap::FileWriter;
using namespace lab::pcap::test;
namespace link_type = lab::decode::link_type;

namespace {

// The error FileReader(path) throws; fails the test when it throws none.
CaptureError open_error(const std::string& path, const std::string& filter = "") {
  try {
    FileReader reader(path, filter);
  } catch (const CaptureError& e) {
    return e;
  }
  FAIL("opening " << path << " did not throw");
  return CaptureError(CaptureErrorKind::other, "");
}

// The process's current address-space size (VmSize in /proc/self/status, in kB).
rlim_t mapped_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmSize:")) return std::strtoull(line.c_str() + 7, nullptr, 10) * 1024;
  return 0;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void put_le32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 0; shift < 32; shift += 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

// A microsecond pcap file header (little-endian) and one record header whose lengths are `caplen`/`len`,
// followed by only a few bytes of data.
std::vector<std::uint8_t> pcap_with_record(std::uint32_t file_snaplen, std::uint32_t caplen, std::uint32_t len) {
  std::vector<std::uint8_t> file;
  put_le32(file, 0xa1b2c3d4);      // magic: microsecond pcap
  file.push_back(2);               // version major 2
  file.push_back(0);
  file.push_back(4);               // version minor 4
  file.push_back(0);
  put_le32(file, 0);               // thiszone
  put_le32(file, 0);               // sigfigs
  put_le32(file, file_snaplen);    // snaplen
  put_le32(file, 1);               // link type: Ethernet
  put_le32(file, 1'700'000'000);   // record: ts seconds
  put_le32(file, 0);               // record: ts microseconds
  put_le32(file, caplen);          // record: captured length
  put_le32(file, len);             // record: wire length
  for (int i = 0; i < 16; ++i) file.push_back(0xab);  // a little data, nowhere near caplen
  return file;
}

}  // namespace

TEST_CASE("a missing file is named in the error", "[pcap][file][errors]") {
  TempDir dir;
  const auto path = dir.file("missing.pcap");
  const auto error = open_error(path);
  INFO(error.what());
  CHECK(error.kind() == CaptureErrorKind::file);
  CHECK(std::string(error.what()) == "cannot read " + path + ": No such file or directory");
}

TEST_CASE("an empty file is named in the error", "[pcap][file][errors]") {
  TempDir dir;
  const auto path = dir.file("empty.pcap");
  write_bytes(path, {});
  const auto error = open_error(path);
  INFO(error.what());
  CHECK(error.kind() == CaptureErrorKind::file);
  CHECK(std::string(error.what()) == path + " is empty: it holds no capture, not even the file header");
}

TEST_CASE("a text file is not a capture", "[pcap][file][errors]") {
  TempDir dir;
  const auto path = dir.file("notes.pcap");
  const std::string text = "These are my notes about TCP, not a capture.\n";
  write_bytes(path, {text.begin(), text.end()});
  const auto error = open_error(path);
  INFO(error.what());
  CHECK(error.kind() == CaptureErrorKind::file);
  CHECK(std::string(error.what()) == path + " is not a pcap or pcapng capture (unknown file format)");
}

TEST_CASE("a directory is not a capture", "[pcap][file][errors]") {
  TempDir dir;
  const auto path = dir.file("a-directory.pcap");
  std::filesystem::create_directory(path);
  const auto error = open_error(path);
  INFO(error.what());
  CHECK(error.kind() == CaptureErrorKind::file);
  CHECK(has(error.what(), path));
}

TEST_CASE("a record claiming 2 GB is an error, not a 2 GB allocation", "[pcap][file][errors]") {
  // The header's snap length may lie too (0xffffffff); libpcap then falls back to its own maximum.
  for (const std::uint32_t file_snaplen : {262144u, 0xffffffffu}) {
    INFO("file snap length " << file_snaplen);
    TempDir dir;
    const auto path = dir.file("huge-record.pcap");
    write_bytes(path, pcap_with_record(file_snaplen, 0x80000000u, 0x80000000u));

    // In a child whose address space is capped well below 2 GB: had libpcap tried to allocate the record,
    // the error would say "out of memory" (or, with enough memory, "truncated") instead of naming the length.
    const auto result = run_in_child(
        [&](std::string& message) {
          // 1 GiB above what is mapped now (relative, so that it also works under AddressSanitizer).
          rlimit limit{};
          getrlimit(RLIMIT_AS, &limit);
          limit.rlim_cur = mapped_bytes() + 1024ull * 1024 * 1024;
          if (setrlimit(RLIMIT_AS, &limit) != 0) message = "(RLIMIT_AS not set) ";
          FileReader reader(path);
          Frame frame;
          try {
            reader.next(frame);
          } catch (const CaptureError& e) {
            message += e.what();
            return e.kind() == CaptureErrorKind::file ? 0 : 2;
          }
          message += "no error";
          return 1;
        },
        std::chrono::seconds(10));
    INFO(result.output);
    REQUIRE_FALSE(result.timed_out);
    CHECK(result.exit_code == 0);
    CHECK(has(result.output, path + " is corrupt: a record claims an impossible length"));
    CHECK(has(result.output, "2147483648"));
  }
}

TEST_CASE("a file cut short returns every complete record, then an error", "[pcap][file][errors]") {
  TempDir dir;
  const auto whole = dir.file("whole.pcap");
  const auto payload = std::string(32, 'p');
  {
    FileWriter writer(whole, link_type::ethernet);
    for (std::int64_t i = 0; i < 3; ++i) {
      const auto bytes = udp_frame(1000, 2000, payload);
      writer.on_frame(Frame{1'700'000'000'000'000'000 + i, link_type::ethernet,
                            static_cast<std::uint32_t>(bytes.size()), bytes});
    }
    writer.flush();
  }
  const auto bytes = read_bytes(whole);
  const std::size_t record = 16 + udp_frame(1000, 2000, payload).size();
  REQUIRE(bytes.size() == 24 + 3 * record);

  // Cut inside the third record's data, and inside its 16-byte header.
  for (const std::size_t cut : {24 + 2 * record + 20, 24 + 2 * record + 5}) {
    INFO("file cut to " << cut << " bytes");
    const auto path = dir.file("cut.pcap");
    write_bytes(path, {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut)});
    FileReader reader(path);
    Frame frame;
    REQUIRE(reader.next(frame));
    CHECK(frame.time_ns == 1'700'000'000'000'000'000);
    REQUIRE(reader.next(frame));
    CHECK(frame.time_ns == 1'700'000'000'000'000'001);
    try {
      reader.next(frame);
      FAIL("the incomplete third record was not reported");
    } catch (const CaptureError& e) {
      INFO(e.what());
      CHECK(e.kind() == CaptureErrorKind::file);
      CHECK(has(e.what(), path + " is cut short: the last record is incomplete (truncated dump file"));
    }
    CHECK_THROWS_AS(reader.next(frame), CaptureError);  // and it stays failed
  }
}

TEST_CASE("a bad filter expression is named in the error", "[pcap][file][errors]") {
  TempDir dir;
  const auto path = dir.file("any.pcap");
  {
    FileWriter writer(path, link_type::ethernet);
    writer.flush();
  }
  const auto error = open_error(path, "udp prot 5005");
  INFO(error.what());
  CHECK(error.kind() == CaptureErrorKind::bad_filter);
  CHECK(has(error.what(), "bad capture filter \"udp prot 5005\": "));
  CHECK(has(error.what(), "syntax error"));
}
