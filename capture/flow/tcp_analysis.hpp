#pragma once
// Wireshark's TCP sequence analysis, rule for rule (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number,
// as in Wireshark 4.4, or 4.0 on request: wireshark_rules.hpp says what changed): retransmissions, duplicate
// ACKs, segments the capture missed, window trouble and keep-alives. The same rules give the same verdicts, so a student can hold `lab` next to Wireshark; the
// differential test (tests/wireshark) checks it packet by packet.
#include <cstdint>

#include "capture/decode/tcp.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"

namespace lab::flow {

// Analyses one segment sent by `from`, over the raw header as captured (whether or not the lab's wire
// delivered it: Wireshark sees it in the capture either way). Fills the analysis fields of `o` except those
// about earlier copies (tcp_tracking.cpp finds them) and updates the direction's analysis state.
void analyze_sequence(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                      std::uint32_t payload_len, std::uint32_t packet_index, std::int64_t time_ns,
                      WiresharkRules rules, TcpObservation& o);

// Then, as Wireshark's SACK option does once the packet's analysis is done (4.4 only): remembers the SACK blocks
// for the other side's fast retransmissions (relative to `data_sender_base`, the other side's base sequence
// number), and turns a window update that carries them into a duplicate ACK.
void analyze_sack(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                  std::uint32_t data_sender_base, WiresharkRules rules, TcpObservation& o);

// Adds the packet's findings to the conversation's trouble counts (after both steps above).
void count_analysis(Conversation& conversation, const TcpObservation& o);

}  // namespace lab::flow
