#pragma once
// Puts two live sources in time order: packets from the capture and calls from the applications. Each source
// is in order by itself; an event is released once the other source has moved past it (or is known to
// have nothing earlier), so the timeline shows which call caused which packets.
#include <cstdint>
#include <deque>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/timeline/app_event.hpp"
#include "capture/timeline/explainer.hpp"

namespace lab::timeline {

class TimelineMerger {
 public:
  explicit TimelineMerger(Explainer& explainer) : explainer_(explainer) {}

  void add_packet(const lab::decode::Frame& frame);  // copies the bytes (the capture reuses its buffer)
  void add_app(AppEvent event);
  // The lab's wire delivered a packet added earlier (FrameSink::on_delivered).
  // Every packet stamped before `delivered_ns` has been added by then: the calls before it go first.
  void packet_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel);
  // The capture has delivered every packet stamped before `time_ns`: calls before it can be released.
  void packets_complete_until(std::int64_t time_ns);
  // Release everything still held, in time order.
  void finish();

 private:
  struct HeldFrame {
    lab::decode::Frame frame;
    std::vector<std::uint8_t> bytes;
  };
  void release(bool everything);
  void release_packet();

  Explainer& explainer_;
  std::deque<HeldFrame> packets_;
  std::deque<AppEvent> apps_;
  std::vector<std::vector<std::uint8_t>> spare_buffers_;  // reused, so steady state allocates nothing
  std::int64_t packets_complete_ns_ = INT64_MIN;
  bool origin_set_ = false;
};

}  // namespace lab::timeline
