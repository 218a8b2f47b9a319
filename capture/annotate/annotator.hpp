#pragma once
// The annotator: turns a decoded packet and what the tracker concluded about it into a plain-language
// explanation, the way a patient teacher would read the capture aloud. Every sentence is derived from the
// packet and the tracker's state, never from a script of what should happen.
#include <cstdint>
#include <string>

#include "capture/decode/frame.hpp"
#include "capture/decode/packet.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"
#include "capture/timeline/app_event.hpp"

namespace lab::annotate {

struct AnnotateOptions {
  bool absolute = false;  // mention raw sequence numbers next to the relative ones
  // Whose TCP analysis the tracker reproduces, and so which findings there are to explain.
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;
};

struct PacketContext {
  std::uint32_t index = 0;  // 1-based packet number
  const lab::decode::Frame& frame;
  const lab::decode::DecodedPacket& packet;
  const lab::flow::Observation& observation;
};

// The explanation of one packet, written into `note` (cleared first, its memory reused).
void annotate_packet(const PacketContext& context, const AnnotateOptions& options, std::string& note);

// The explanation of an application call. `conversation` is the tracker's record of the socket's
// connection, if the capture has seen it (nullptr otherwise).
void annotate_app(const lab::timeline::AppEvent& event, const lab::flow::Conversation* conversation,
                  std::string& note);

}  // namespace lab::annotate
