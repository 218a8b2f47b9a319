#include "capture/timeline/timeline_merger.hpp"

namespace lab::timeline {

void TimelineMerger::add_packet(const lab::decode::Frame& frame) {
  if (!origin_set_) {  // times count from the first packet, even for calls released before it
    explainer_.set_origin(frame.time_ns);
    origin_set_ = true;
  }
  HeldFrame held;
  if (!spare_buffers_.empty()) {
    held.bytes = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  held.bytes.assign(frame.bytes.begin(), frame.bytes.end());
  held.frame = frame;
  packets_.push_back(std::move(held));
  packets_.back().frame.bytes = packets_.back().bytes;
  release(false);
}

void TimelineMerger::add_app(AppEvent event) {
  apps_.push_back(std::move(event));
  release(false);
}

void TimelineMerger::packet_delivered(std::uint64_t wire_id, std::int64_t delivered_ns,
                                      const lab::decode::KernelView& kernel) {
  // A call made before the packet arrived (a close) acts on the receiver first, as it did in the host.
  packets_complete_until(delivered_ns);
  // Packets never wait here (only calls do, for the packets before them): it has reached the explainer already.
  explainer_.delivered(wire_id, delivered_ns, kernel);
}

void TimelineMerger::packets_complete_until(std::int64_t time_ns) {
  if (time_ns > packets_complete_ns_) packets_complete_ns_ = time_ns;
  release(false);
}

void TimelineMerger::finish() { release(true); }

void TimelineMerger::release_packet() {
  explainer_.packet(packets_.front().frame);
  spare_buffers_.push_back(std::move(packets_.front().bytes));
  packets_.pop_front();
}

void TimelineMerger::release(bool everything) {
  while (!packets_.empty() || !apps_.empty()) {
    if (!packets_.empty() && !apps_.empty()) {
      // Both sources have something: the earlier goes first (a call at the same instant goes before the
      // packet, since the call caused it).
      if (apps_.front().time_ns <= packets_.front().frame.time_ns) {
        explainer_.app(apps_.front());
        apps_.pop_front();
      } else {
        release_packet();
      }
    } else if (!packets_.empty()) {
      // Packets are released as they come: a call is recorded before the packets it causes, so any call
      // earlier than this packet is already here.
      release_packet();
    } else if (everything || apps_.front().time_ns < packets_complete_ns_) {
      explainer_.app(apps_.front());
      apps_.pop_front();
    } else {
      break;  // a packet stamped before this call may still be on its way from the capture
    }
  }
}

}  // namespace lab::timeline
