#pragma once
// Wireshark's TCP sequence analysis, rule for rule (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number,
// as in Wireshark 4.0): retransmissions, duplicate ACKs, segments the capture missed, window trouble and
// keep-alives. The same rules give the same verdicts, so a student can hold `lab` next to Wireshark; the
// differential test (tests/wireshark) checks it packet by packet.
#include <cstdint>

#include "capture/decode/tcp.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/observation.hpp"

namespace lab::flow {

// Analyses one segment sent by `from`, over the raw header as captured (whether or not the lab's wire
// delivered it: Wireshark sees it in the capture either way). Fills the analysis fields of `o` except those
// about earlier copies (tcp_tracking.cpp finds them), updates the direction's analysis state and the
// conversation's trouble counts.
void analyze_sequence(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                      std::uint32_t payload_len, std::uint32_t packet_index, std::int64_t time_ns, TcpObservation& o);

}  // namespace lab::flow
