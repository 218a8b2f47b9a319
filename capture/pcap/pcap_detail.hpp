#pragma once
// Helpers shared by the adapter's own .cpp files (live_capture, file_reader, file_writer). Internal: the core
// and the labs include the public headers, never this one, so libpcap's header stays inside capture/pcap.
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "capture/decode/frame.hpp"

namespace lab::pcap::detail {

struct PcapCloser {
  void operator()(pcap_t* handle) const { pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// pcap_pkthdr -> Frame. With nanosecond precision libpcap stores nanoseconds in ts.tv_usec.
inline lab::decode::Frame to_frame(const pcap_pkthdr& header, const u_char* data, std::uint32_t link_type,
                                   bool nanosecond) {
  const std::int64_t fraction = static_cast<std::int64_t>(header.ts.tv_usec) * (nanosecond ? 1 : 1000);
  // pcapng stores 64-bit times, and a hostile file can claim any: keep the seconds within what classic pcap
  // holds (0 to 2^32 - 1), so that nanoseconds, and differences of them, never overflow.
  const std::int64_t seconds = std::clamp<std::int64_t>(header.ts.tv_sec, 0, 0xFFFF'FFFF);
  lab::decode::Frame frame;
  frame.time_ns = seconds * 1'000'000'000 + fraction;
  frame.link_type = link_type;
  frame.wire_len = header.len;
  frame.bytes = {data, header.caplen};
  return frame;
}

// Compiles and installs a BPF filter (tcpdump syntax); an empty filter installs nothing.
// Throws CaptureError(bad_filter) naming the expression and pcap's reason.
void apply_filter(pcap_t* handle, const std::string& filter);

// pcap's message about a capture file, rewritten as one line that names the file and says what is wrong
// ("x.pcap is cut short: ...", "x.pcap is not a pcap or pcapng capture ...").
std::string readable_file_error(const std::string& path, const std::string& pcap_message);

}  // namespace lab::pcap::detail
