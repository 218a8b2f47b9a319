#pragma once
// A BPF filter (tcpdump's syntax) applied to frames that did not come through libpcap: those the lab's wire hands
// over (lab net watch). libpcap compiles it for the link type and runs it on each frame (pcap_offline_filter), so
// `--filter` means exactly what it means to tcpdump and to lab capture.
#include <cstdint>
#include <memory>
#include <string>

#include "capture/decode/frame.hpp"

namespace lab::pcap {

class FrameFilter {
 public:
  // Throws CaptureError(bad_filter) naming the expression and pcap's reason. An empty expression matches all.
  FrameFilter(const std::string& expression, std::uint32_t link_type, int snap_length = 262144);
  ~FrameFilter();
  FrameFilter(const FrameFilter&) = delete;
  FrameFilter& operator=(const FrameFilter&) = delete;

  bool matches(const lab::decode::Frame& frame) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lab::pcap
