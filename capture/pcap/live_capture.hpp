#pragma once
// Live capture with libpcap: immediate mode (each packet delivered at once, not batched), nanosecond
// timestamps, a BPF filter, non-blocking so the caller can wait on selectable_fd() in its own event loop.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "capture/pcap/frame_sink.hpp"

namespace lab::pcap {

struct LiveCaptureOptions {
  std::string interface = "lo";
  std::string filter;               // BPF, as tcpdump takes it; empty: everything
  int snap_length = 262144;
  int buffer_bytes = 4 * 1024 * 1024;
};

struct CaptureStats {
  std::uint64_t received = 0;  // packets the filter passed
  std::uint64_t dropped = 0;   // dropped by the kernel: buffer full
};

struct InterfaceInfo {
  std::string name;         // what --interface takes: "lo", "eth0", "any"
  std::string description;  // libpcap's, may be empty
  bool loopback = false;
  bool up = false;
};

// The interfaces libpcap can capture on, as `tshark -D` lists them. Throws CaptureError if it cannot ask.
std::vector<InterfaceInfo> list_interfaces();

class LiveCapture {
 public:
  // Opens and activates the capture; throws CaptureError (permission: says to use sudo, setcap, or the
  // lab's private namespace).
  explicit LiveCapture(const LiveCaptureOptions& options);
  ~LiveCapture();
  LiveCapture(const LiveCapture&) = delete;
  LiveCapture& operator=(const LiveCapture&) = delete;

  std::uint32_t link_type() const;  // as pcap_datalink() reports it
  int snap_length() const;
  int selectable_fd() const;        // readable when packets wait
  // Deliver every packet available now, without blocking; returns how many.
  std::size_t dispatch(FrameSink& sink);
  CaptureStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lab::pcap
