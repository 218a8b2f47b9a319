#pragma once
// The TCP rules of the tracker: relative numbers, what an ACK confirms, and the state changes of RFC 9293
// section 3.3.2 as seen from a capture point between the two endpoints.
#include <cstdint>

#include "capture/decode/tcp.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"

namespace lab::flow {

// Update `conversation` with one segment sent by `from`, and fill `observation.tcp` and `observation.phase`.
// A segment not `delivered` (dropped by the lab's wire) counts as sent but not received: the sender's numbers and
// state move, the receiver's do not (nothing it carries is acknowledged, no state of the receiver changes).
// An IP `fragment` holds only part of the segment: it gets no sequence analysis (Wireshark analyses the segment
// once reassembled, which lab does not do). `rules`: which Wireshark's sequence analysis to follow.
void track_tcp_segment(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                       std::uint32_t payload_len, std::uint32_t packet_index, std::int64_t time_ns,
                       Observation& observation, bool delivered = true, bool fragment = false,
                       WiresharkRules rules = default_wireshark_rules);

}  // namespace lab::flow
