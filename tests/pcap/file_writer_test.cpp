// FileWriter's errors: a path that cannot be opened, a disk that is full, a frame of another link type.
#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/pcap_error.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::decode::Frame;
using lab::pcap::CaptureError;
using lab::pcap::CaptureErrorKind;
using lab::pcap::FileWriter;
using namespace lab::pcap::test;
namespace link_type = lab::decode::link_type;

TEST_CASE("an unwritable path is a file error naming the path and the reason", "[pcap][writer]") {
  try {
    FileWriter writer("/nonexistent-dir/x.pcap", link_type::ethernet);
    FAIL("no error for /nonexistent-dir/x.pcap");
  } catch (const CaptureError& e) {
    CHECK(e.kind() == CaptureErrorKind::file);
    CHECK(std::string(e.what()) == "cannot write /nonexistent-dir/x.pcap: No such file or directory");
  }
}

TEST_CASE("a full disk is reported by flush", "[pcap][writer]") {
  if (access("/dev/full", W_OK) != 0) {
    LAB_SKIP("/dev/full is not available: not checked");
  }
  FileWriter writer("/dev/full", link_type::ethernet);
  const auto bytes = udp_frame(1, 2, "x");
  writer.on_frame(Frame{1, link_type::ethernet, static_cast<std::uint32_t>(bytes.size()), bytes});
  try {
    writer.flush();
    FAIL("flush to /dev/full did not throw");
  } catch (const CaptureError& e) {
    CHECK(e.kind() == CaptureErrorKind::file);
    CHECK(std::string(e.what()) == "cannot write /dev/full: No space left on device");
  }
}

TEST_CASE("a frame of another link type is refused", "[pcap][writer]") {
  TempDir dir;
  FileWriter writer(dir.file("ethernet.pcap"), link_type::ethernet);
  const std::vector<std::uint8_t> bytes = {0x45, 0x00};
  CHECK_THROWS_AS(writer.on_frame(Frame{1, link_type::raw, 2, bytes}), CaptureError);
}
