#pragma once
// The pipeline every front end uses: frame -> decode -> track -> annotate -> render, with application calls
// placed in the same timeline. Events must arrive in time order (TimelineMerger orders live sources).
// A packet the lab's wire holds (--delay) is tracked in two steps, as the hosts live it: sent when captured,
// received when the wire delivers it (delivered()). It is explained and shown once received, in capture order, so
// that what came between (the other side's packets, calls) has been taken into account and still shows after it.
#include <cstdint>
#include <deque>
#include <vector>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "capture/annotate/annotator.hpp"
#include "capture/decode/frame.hpp"
#include "capture/flow/ip_reassembly.hpp"
#include "capture/flow/tracker.hpp"
#include "capture/render/renderer.hpp"
#include "capture/timeline/app_event.hpp"

namespace lab::timeline {

using Output = std::function<void(std::string_view)>;

class Explainer {
 public:
  Explainer(lab::render::Renderer& renderer, lab::annotate::AnnotateOptions options, Output output);

  // Times are shown relative to this instant (the first packet's time). Without a call, the first packet
  // sets it (or the first application call, if that comes first).
  void set_origin(std::int64_t time_ns);

  void packet(const lab::decode::Frame& frame);
  void app(const AppEvent& event);
  // The wire has delivered the packet it numbered `wire_id` (held since packet()) at `delivered_ns`; `kernel` holds the receiver's
  // state as its kernel then reported it.
  void delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel);
  // Renders the summary. `kernel_dropped` comes from the live capture's statistics; `lab_fields` are JSON
  // members a lab adds to the summary (SummaryView::lab_fields).
  void finish(std::string_view closing_tip = {}, std::uint64_t kernel_dropped = 0, std::string_view lab_fields = {});

  const lab::flow::Tracker& tracker() const { return tracker_; }
  std::uint32_t packets() const { return index_; }

 private:
  std::int64_t since_origin(std::int64_t time_ns);
  const lab::flow::Conversation* conversation_of(const AppEvent& event) const;
  void flush();
  void report_ended();

  // A packet waiting for its receipt, or anything behind one in the timeline.
  struct Pending {
    bool is_app = false;
    bool received = false;
    std::uint32_t index = 0;
    lab::decode::Frame frame;  // its bytes point into `bytes`
    std::vector<std::uint8_t> bytes;
    lab::flow::Observation observation;
    AppEvent app;
    std::optional<lab::flow::TcpState> capture_state;
    std::optional<lab::flow::TcpState> state_after;
    lab::flow::FragmentReport fragments;  // a copy, when it is a fragment or reports datagrams given up
    std::vector<std::uint8_t> whole;      // the datagram it completed, if it did
  };
  static lab::decode::DecodedPacket decode_held(const Pending& held);
  void show_packet(std::uint32_t index, const lab::decode::Frame& frame, const lab::decode::DecodedPacket& decoded,
                   const lab::flow::Observation& observation, const lab::flow::FragmentReport& fragments);
  void show_app(const AppEvent& event, std::optional<lab::flow::TcpState> capture_state,
                std::optional<lab::flow::TcpState> state_after);
  std::optional<lab::flow::TcpState> capture_state_of(const AppEvent& event) const;
  void show_ready();  // the pending items at the front whose turn has come
  void receive_all_pending();  // at the end, or before a SYN that would replace their connection

  lab::render::Renderer& renderer_;
  lab::annotate::AnnotateOptions options_;
  Output output_;
  lab::flow::Tracker tracker_;
  lab::flow::IpReassembly reassembly_;  // before the tracker: fragments in, whole datagrams out
  std::uint32_t index_ = 0;
  bool origin_set_ = false;
  std::int64_t origin_ns_ = 0;
  lab::annotate::Explained explained_;  // concepts explained in full so far in this run
  std::deque<Pending> pending_;
  std::vector<std::vector<std::uint8_t>> spare_buffers_;  // reused: a long delayed run allocates only at its start
  std::string note_;  // reused for every explanation
  std::string out_;   // reused for every rendering
};

}  // namespace lab::timeline
