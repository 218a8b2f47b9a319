#pragma once
// Renderers turn the timeline (packets with their explanations, application calls, the closing summary)
// into text. They decode nothing and print nothing: they append to a string the caller writes out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/decode/packet.hpp"
#include "capture/flow/arp_tracker.hpp"
#include "capture/flow/ip_reassembly.hpp"
#include "capture/flow/observation.hpp"
#include "capture/timeline/app_event.hpp"

namespace lab::render {

struct PacketView {
  std::uint32_t index = 0;   // 1-based, the same order as a --write file
  std::int64_t time_ns = 0;  // since the first packet
  const lab::decode::Frame& frame;
  const lab::decode::DecodedPacket& packet;
  const lab::flow::Observation& observation;
  std::string_view note;     // the annotator's explanation
  const lab::flow::FragmentReport* fragments = nullptr;  // what IP reassembly made of it (null: not known)
};

struct AppView {
  std::int64_t time_ns = 0;  // since the first packet (negative before it)
  const lab::timeline::AppEvent& event;
  // The caller's state as the capture shows it when the call was made, if the capture has seen its connection.
  std::optional<lab::flow::TcpState> capture_state;
  std::optional<lab::flow::TcpState> state_after;  // the same once the call took effect (a close changes it)
  std::string_view note;
};

struct SummaryView {
  std::vector<const lab::flow::Conversation*> conversations;  // still held, in order of first appearance
  std::uint64_t packets = 0;
  std::uint64_t conversations_ended = 0;  // reported earlier, one by one, as they ended
  std::uint64_t kernel_dropped = 0;  // live capture: packets the kernel dropped before we read them
  std::string_view closing_tip;      // a pointer to the next lesson, from the lab (may be empty)
  std::string_view lab_fields;       // JSON members ("name":value,...) from the lab: the facts its tip states
  const lab::flow::ArpTracker* arp = nullptr;  // the capture's ARP traffic (null: none was tracked)
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual void packet(const PacketView& view, std::string& out) = 0;
  virtual void app(const AppView& view, std::string& out) = 0;
  // A conversation that is over and let go before the end of the capture (long captures only).
  virtual void conversation_end(const lab::flow::Conversation& conversation, std::string& out) = 0;
  virtual void summary(const SummaryView& view, std::string& out) = 0;
};

}  // namespace lab::render
