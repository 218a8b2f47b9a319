#pragma once
// Where the adapter delivers frames. The frame's bytes are valid only during the call.
#include "capture/decode/frame.hpp"

namespace lab::pcap {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_frame(const lab::decode::Frame& frame) = 0;
};

}  // namespace lab::pcap
