#pragma once
// Facts about a finished (or cut-off) conversation that both the text and JSON summaries report.
#include <cstdint>

#include "capture/flow/conversation.hpp"

namespace lab::render {

enum class Ending : std::uint8_t { closed, reset, open };
const char* ending_name(Ending ending);  // "closed", "reset", "open"

struct ConversationFacts {
  std::uint64_t packets = 0;
  std::uint64_t payload_bytes = 0;  // application data, each byte once
  std::uint64_t resent_bytes = 0;   // payload bytes carried again by retransmissions
  std::uint64_t wire_bytes = 0;
  std::int64_t syn_to_syn_ack_ns = -1;  // -1: not seen
  std::int64_t initial_rtt_ns = -1;     // SYN to the handshake's last ACK (Wireshark's iRTT)
  Ending ending = Ending::open;
  lab::flow::Role closed_first = lab::flow::Role::client;  // whose FIN came first (TCP, when closed)
  bool any_fin = false;
};

ConversationFacts facts_of(const lab::flow::Conversation& conversation);

}  // namespace lab::render
