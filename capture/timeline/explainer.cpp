#include "capture/timeline/explainer.hpp"

#include "capture/decode/packet.hpp"
#include "capture/flow/flow_key.hpp"

namespace lab::timeline {

Explainer::Explainer(lab::render::Renderer& renderer, lab::annotate::AnnotateOptions options, Output output)
    : renderer_(renderer), options_(options), output_(std::move(output)), tracker_(options.wireshark_rules, options.server_listener) {
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
  lab::decode::DecodedPacket decoded = lab::decode::decode_packet(frame);
  ++index_;
  // IP reassembly comes first: a fragment is not the transport's until its datagram is whole, and the tracker then
  // sees the datagram once, with all its fragments' bytes on the wire.
  const lab::flow::FragmentReport& fragments =
      reassembly_.add(index_, frame.time_ns, frame.wire_len, !frame.wire.dropped, decoded);
  if (fragments.completes) decoded = lab::decode::decode_reassembled(decoded, reassembly_.datagram());
  // Held packets keep pointers to their conversations: none is let go while any is pending.
  if (!pending_.empty() && tracker_.would_replace(decoded)) receive_all_pending();
  if (index_ % 1024 == 0 && pending_.empty()) tracker_.release_quiet(index_, frame.time_ns);
  const bool receipt_later = decoded.tcp && !frame.wire.dropped && frame.wire.delivered_ns > frame.time_ns;
  lab::flow::Observation observation;
  observation.delivered = !frame.wire.dropped;
  if (!fragments.is_fragment || fragments.completes)
    observation = tracker_.observe(index_, frame.time_ns, fragments.completes ? fragments.wire_bytes : frame.wire_len,
                                   decoded, !frame.wire.dropped, receipt_later, /*exact_delivery=*/frame.wire.id != 0);
  if (!receipt_later && pending_.empty()) {
    show_packet(index_, frame, decoded, observation, fragments);
    return;
  }
  Pending& held = pending_.emplace_back();
  if (!spare_buffers_.empty()) {
    held.bytes = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  held.bytes.assign(frame.bytes.begin(), frame.bytes.end());
  held.frame = frame;
  held.frame.bytes = held.bytes;
  held.index = index_;
  held.observation = observation;
  held.received = !receipt_later;
  held.fragments = {};
  held.whole.clear();
  if (fragments.is_fragment || fragments.given_up_count != 0) held.fragments = fragments;
  if (fragments.completes) held.whole.assign(reassembly_.datagram().begin(), reassembly_.datagram().end());
  show_ready();
}

void Explainer::delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel) {
  for (Pending& held : pending_) {
    if (held.is_app || held.received || held.frame.wire.id != wire_id) continue;
    held.frame.wire.delivered_ns = delivered_ns > held.frame.time_ns ? delivered_ns : held.frame.time_ns + 1;
    if (kernel.client != lab::decode::KernelTcpState::not_read) {
      held.frame.wire.kernel.client = kernel.client;
      held.frame.wire.kernel.client_figures = kernel.client_figures;
    }
    if (kernel.server != lab::decode::KernelTcpState::not_read) {
      held.frame.wire.kernel.server = kernel.server;
      held.frame.wire.kernel.server_figures = kernel.server_figures;
    }
    tracker_.observe_receipt(decode_held(held), held.observation);
    held.received = true;
    break;
  }
  show_ready();
}

void Explainer::show_ready() {
  while (!pending_.empty() && (pending_.front().is_app || pending_.front().received)) {
    Pending& front = pending_.front();
    if (front.is_app) {
      show_app(front.app, front.capture_state, front.state_after);
    } else {
      show_packet(front.index, front.frame, decode_held(front), front.observation, front.fragments);
      spare_buffers_.push_back(std::move(front.bytes));
    }
    pending_.pop_front();
  }
}

// Packets still held were never delivered (the lab ended first): shown as captured, their receipt unknown.
void Explainer::receive_all_pending() {
  for (Pending& held : pending_) {
    if (held.is_app || held.received) continue;
    held.frame.wire.delivered_ns = 0;
    held.received = true;
  }
  show_ready();
}

// A held packet decoded again from its copy: a datagram it completed, from the copy of the whole.
lab::decode::DecodedPacket Explainer::decode_held(const Pending& held) {
  const lab::decode::DecodedPacket decoded = lab::decode::decode_packet(held.frame);
  return held.fragments.completes ? lab::decode::decode_reassembled(decoded, held.whole) : decoded;
}

void Explainer::show_packet(std::uint32_t index, const lab::decode::Frame& frame,
                            const lab::decode::DecodedPacket& decoded, const lab::flow::Observation& observation,
                            const lab::flow::FragmentReport& fragments) {
  report_ended();
  lab::annotate::annotate_packet({index, frame, decoded, observation, &explained_, &fragments}, options_, note_);
  renderer_.packet({index, since_origin(frame.time_ns), frame, decoded, observation, note_, &fragments}, out_);
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
  const auto before = capture_state_of(event);
  // A close changes its caller's state at once, before the FIN (or RST) is on the wire.
  if (event.tcp && (event.call == AppCall::close || event.call == AppCall::shutdown))
    if (const lab::flow::Conversation* conversation = conversation_of(event))
      tracker_.close_called(*conversation, event.actor, event.resets);
  const auto after = capture_state_of(event);
  if (pending_.empty()) {
    show_app(event, before, after);
    return;
  }
  Pending& held = pending_.emplace_back();
  held.is_app = true;
  held.app = event;
  held.capture_state = before;  // now: the packets held behind it must not change what it saw
  held.state_after = after;
}

std::optional<lab::flow::TcpState> Explainer::capture_state_of(const AppEvent& event) const {
  const lab::flow::Conversation* conversation = conversation_of(event);
  if (!conversation) return std::nullopt;
  return conversation->side(event.actor).state;
}

void Explainer::show_app(const AppEvent& event, std::optional<lab::flow::TcpState> capture_state,
                         std::optional<lab::flow::TcpState> state_after) {
  lab::annotate::annotate_app(event, capture_state, state_after, note_);
  renderer_.app({since_origin(event.time_ns), event, capture_state, state_after, note_}, out_);
  flush();  // application calls are rare: show them at once
}

// Conversations the tracker let go are summarised where they ended, then forgotten.
void Explainer::report_ended() {
  auto& ended = tracker_.ended();
  if (ended.empty()) return;
  for (const lab::flow::Conversation& c : ended) renderer_.conversation_end(c, out_);
  ended.clear();
}

void Explainer::finish(std::string_view closing_tip, std::uint64_t kernel_dropped, std::string_view lab_fields) {
  receive_all_pending();
  report_ended();
  renderer_.summary(
      {tracker_.conversations(), index_, tracker_.ended_count(), kernel_dropped, closing_tip, lab_fields, &tracker_.arp()},
      out_);
  flush();
}

void Explainer::flush() {
  if (out_.empty()) return;
  output_(out_);
  out_.clear();
}

}  // namespace lab::timeline
