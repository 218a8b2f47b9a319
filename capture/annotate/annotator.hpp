#pragma once
// The annotator: turns a decoded packet and what the tracker concluded about it into a plain-language
// explanation, the way a patient teacher would read the capture aloud. Every sentence is derived from the
// packet and the tracker's state, never from a script of what should happen.
#include <cstdint>
#include <optional>
#include <string>

#include "capture/annotate/explained.hpp"
#include "capture/decode/frame.hpp"
#include "capture/decode/packet.hpp"
#include "capture/flow/ip_reassembly.hpp"
#include "capture/flow/listener.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"
#include "capture/timeline/app_event.hpp"

namespace lab::annotate {

struct AnnotateOptions {
  bool absolute = false;  // mention raw sequence numbers next to the relative ones
  // Whose TCP analysis the tracker reproduces, and so which findings there are to explain.
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;
  // Whether the capture's server is known to listen (a lab knows; a file does not).
  lab::flow::Listener server_listener = lab::flow::Listener::unknown;
};

struct PacketContext {
  std::uint32_t index = 0;  // 1-based packet number
  const lab::decode::Frame& frame;
  const lab::decode::DecodedPacket& packet;
  const lab::flow::Observation& observation;
  // What this run has explained already (nullptr: every concept in full, as for a single packet).
  Explained* explained = nullptr;
  const lab::flow::FragmentReport* fragments = nullptr;  // what IP reassembly made of it (null: not known)
};

// The explanation of one packet, written into `note` (cleared first, its memory reused).
void annotate_packet(const PacketContext& context, const AnnotateOptions& options, std::string& note);

// The explanation of an application call. `capture_state`: the caller's state as the capture showed it when the
// call was made, if the capture has seen the socket's connection.
// `state_after`: the same once the call took effect (a close moves its caller's state before any packet shows it).
void annotate_app(const lab::timeline::AppEvent& event, std::optional<lab::flow::TcpState> capture_state,
                  std::optional<lab::flow::TcpState> state_after, std::string& note);

}  // namespace lab::annotate
