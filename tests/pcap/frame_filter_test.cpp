// FrameFilter: a BPF expression run on frames that did not come through libpcap (lab net watch's --filter).
#include "capture/pcap/frame_filter.hpp"
#include "capture/pcap/pcap_error.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"

using lab::pcap::CaptureError;
using lab::pcap::CaptureErrorKind;
using lab::pcap::FrameFilter;
using lab::pcap::test::udp_frame;

namespace {

lab::decode::Frame frame_of(const std::vector<std::uint8_t>& bytes, std::size_t captured) {
  lab::decode::Frame frame;
  frame.link_type = lab::decode::link_type::ethernet;
  frame.wire_len = static_cast<std::uint32_t>(bytes.size());
  frame.bytes = std::span<const std::uint8_t>(bytes.data(), captured);
  return frame;
}

}  // namespace

TEST_CASE("frame filter: tcpdump's expressions decide as they do in a capture") {
  const auto bytes = udp_frame(40000, 5005, "Hello?");
  const auto frame = frame_of(bytes, bytes.size());
  CHECK(FrameFilter("", lab::decode::link_type::ethernet).matches(frame));
  CHECK(FrameFilter("udp port 5005", lab::decode::link_type::ethernet).matches(frame));
  CHECK(FrameFilter("udp and src port 40000", lab::decode::link_type::ethernet).matches(frame));
  CHECK_FALSE(FrameFilter("tcp", lab::decode::link_type::ethernet).matches(frame));
  CHECK_FALSE(FrameFilter("arp", lab::decode::link_type::ethernet).matches(frame));
  CHECK_FALSE(FrameFilter("udp port 65432", lab::decode::link_type::ethernet).matches(frame));
}

TEST_CASE("frame filter: a frame cut short is read only as far as it was captured") {
  const auto bytes = udp_frame(40000, 5005, "Hello?");
  // 20 bytes: Ethernet and part of IPv4, no UDP header. BPF reads past the end as "no match", never beyond it.
  const auto cut = frame_of(bytes, 20);
  CHECK_FALSE(FrameFilter("udp port 5005", lab::decode::link_type::ethernet).matches(cut));
  CHECK(FrameFilter("ip", lab::decode::link_type::ethernet).matches(cut));
}

TEST_CASE("frame filter: a bad expression is one line naming it") {
  try {
    FrameFilter("tcp port", lab::decode::link_type::ethernet);
    FAIL("no error for a bad filter");
  } catch (const CaptureError& e) {
    CHECK(e.kind() == CaptureErrorKind::bad_filter);
    const std::string message = e.what();
    CHECK(message.find("\"tcp port\"") != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
}
