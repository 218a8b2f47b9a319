#pragma once
// The pipeline every front end uses: frame -> decode -> track -> annotate -> render, with application calls
// placed in the same timeline. Events must arrive in time order (TimelineMerger orders live sources).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "capture/annotate/annotator.hpp"
#include "capture/decode/frame.hpp"
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
  // Renders the summary. `kernel_dropped` comes from the live capture's statistics.
  void finish(std::string_view closing_tip = {}, std::uint64_t kernel_dropped = 0);

  const lab::flow::Tracker& tracker() const { return tracker_; }
  std::uint32_t packets() const { return index_; }

 private:
  std::int64_t since_origin(std::int64_t time_ns);
  const lab::flow::Conversation* conversation_of(const AppEvent& event) const;
  void flush();
  void report_ended();

  lab::render::Renderer& renderer_;
  lab::annotate::AnnotateOptions options_;
  Output output_;
  lab::flow::Tracker tracker_;
  std::uint32_t index_ = 0;
  bool origin_set_ = false;
  std::int64_t origin_ns_ = 0;
  std::string note_;  // reused for every explanation
  std::string out_;   // reused for every rendering
};

}  // namespace lab::timeline
