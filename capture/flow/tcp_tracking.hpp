#pragma once
// The TCP rules of the tracker: relative numbers, what an ACK confirms, and the state changes of RFC 9293
// section 3.3.2 as seen from a capture point between the two endpoints.
#include <cstdint>

#include "capture/decode/tcp.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"

namespace lab::flow {

// When a segment reaches its receiver, as far as the tracker is told: at once (a capture point next to both, or
// one that cannot tell), later (the lab's wire holds it: --delay), or never (the wire dropped it).
enum class Receipt : std::uint8_t { now, later, never };

// Update `conversation` with one segment sent by `from`, and fill `observation.tcp` and `observation.phase`.
// Sending and receiving are two steps: the sender's numbers and state move as it is sent; what it does to the
// receiver (an ACK that acknowledges, a FIN that arrives, a state change) happens on receipt: at once, on a later
// call to receive_tcp_segment, or never (nothing it carries is acknowledged, no state of the receiver changes).
// `exact`: the capture knows what reached the receiver (the lab's wire), so a FIN beyond a gap waits for the gap to
// fill, as the receiver's kernel makes it wait; elsewhere a FIN takes effect as it passes.
// An IP `fragment` holds only part of the segment: it gets no sequence analysis (Wireshark analyses the segment
// once reassembled, which lab does not do). `rules`: which Wireshark's sequence analysis to follow.
void track_tcp_segment(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                       std::uint32_t payload_len, std::uint32_t packet_index, std::int64_t time_ns,
                       Observation& observation, Receipt receipt = Receipt::now, bool exact = false,
                       bool fragment = false, WiresharkRules rules = default_wireshark_rules);

// An application closed its side (close(), or shutdown() for writing) before its FIN shows on the wire. RFC 9293
// 3.10.4: the CLOSE call itself moves ESTABLISHED (or SYN-RECEIVED) to FIN-WAIT-1 and CLOSE-WAIT to LAST-ACK; the FIN
// follows once the data queued before it has been sent, which may take a while (a closed window, a small cwnd).
// A close the kernel answers with a reset (`resets`: SO_LINGER 0, unread data) is RFC 9293's ABORT: CLOSED at once.
void close_called(TcpSide& side, bool resets);

// The receiver's step for a segment tracked with Receipt::later: it has arrived now. Updates the receiver's half of
// `observation` (its `before` and `after` state, acks_syn, acks_fin, fin_arrives).
void receive_tcp_segment(Conversation& conversation, Role from, const lab::decode::TcpHeader& header,
                         std::uint32_t payload_len, bool exact, Observation& observation);

}  // namespace lab::flow
