#pragma once
// Where the adapter delivers frames. The frame's bytes are valid only during the call.
#include <cstdint>

#include "capture/decode/frame.hpp"

namespace lab::pcap {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_frame(const lab::decode::Frame& frame) = 0;
  // The lab's wire only, with --delay: the frame it numbered `wire_id` (WireNote::id), captured earlier, has just
  // been handed to its receiver at `delivered_ns`, whose kernel then reported `kernel` (only the receiver's half is filled in).
  virtual void on_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel) {
    (void)wire_id;
    (void)delivered_ns;
    (void)kernel;
  }
};

}  // namespace lab::pcap
