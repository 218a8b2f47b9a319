#include "capture/timeline/explainer.hpp"

#include "capture/decode/packet.hpp"
#include "capture/flow/flow_key.hpp"

namespace lab::timeline {

Explainer::Explainer(lab::render::Renderer& renderer, lab::annotate::AnnotateOptions options, Output output)
    : renderer_(renderer), options_(options), output_(std::move(output)), tracker_(options.wireshark_rules) {
  note_.reserve(2048);
  out_.reserve(64 * 1024);
}

void Explainer::set_origin(std::int64_t time_ns) {
  origin_ns_ = time_ns;
  origin_set_ = true;
}

std::int64_t Explainer::since_origin(std::int64_t time_ns) {
  if (!origin_set_) set_origin(time_ns);
  return time_ns - origin_ns_;
}

void Explainer::packet(const lab::decode::Frame& frame) {
  const lab::decode::DecodedPacket decoded = lab::decode::decode_packet(frame);
  ++index_;
  if (index_ % 1024 == 0) tracker_.release_quiet(index_, frame.time_ns);
  const lab::flow::Observation observation = tracker_.observe(index_, frame.time_ns, frame.wire_len, decoded, !frame.wire.dropped);
  report_ended();
  lab::annotate::annotate_packet({index_, frame, decoded, observation}, options_, note_);
  renderer_.packet({index_, since_origin(frame.time_ns), frame, decoded, observation, note_}, out_);
  if (out_.size() >= 60 * 1024) flush();
}

// The tracker's record of the connection an application call belongs to: the one whose endpoints match
// the socket's addresses.
const lab::flow::Conversation* Explainer::conversation_of(const AppEvent& event) const {
  if (event.local.empty() || event.peer.empty()) return nullptr;
  for (const lab::flow::Conversation* c : tracker_.conversations()) {
    if (c->key.protocol != (event.tcp ? lab::decode::ip_protocol::tcp : lab::decode::ip_protocol::udp)) continue;
    const std::string mine = lab::flow::to_string(c->at(event.actor));
    const std::string theirs = lab::flow::to_string(c->at(lab::flow::other(event.actor)));
    if (mine == event.local && theirs == event.peer) return c;
  }
  return nullptr;
}

void Explainer::app(const AppEvent& event) {
  const lab::flow::Conversation* conversation = conversation_of(event);
  lab::annotate::annotate_app(event, conversation, note_);
  renderer_.app({since_origin(event.time_ns), event, conversation, note_}, out_);
  flush();  // application calls are rare: show them at once
}

// Conversations the tracker let go are summarised where they ended, then forgotten.
void Explainer::report_ended() {
  auto& ended = tracker_.ended();
  if (ended.empty()) return;
  for (const lab::flow::Conversation& c : ended) renderer_.conversation_end(c, out_);
  ended.clear();
}

void Explainer::finish(std::string_view closing_tip, std::uint64_t kernel_dropped) {
  report_ended();
  renderer_.summary({tracker_.conversations(), index_, tracker_.ended_count(), kernel_dropped, closing_tip}, out_);
  flush();
}

void Explainer::flush() {
  if (out_.empty()) return;
  output_(out_);
  out_.clear();
}

}  // namespace lab::timeline
