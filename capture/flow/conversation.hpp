#pragma once
// One conversation (a TCP connection or a UDP exchange) as the tracker knows it: who is the client, and for
// each side what it has sent and which TCP state it is in. Suricata-style: one record per direction.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "capture/flow/flow_key.hpp"
#include "capture/flow/http_stream.hpp"
#include "capture/flow/tls_stream.hpp"
#include "capture/flow/tcp_state.hpp"

namespace lab::flow {

enum class Role : std::uint8_t { client = 0, server = 1 };
inline Role other(Role role) { return role == Role::client ? Role::server : Role::client; }
const char* role_name(Role role);  // "client" / "server"

enum class Phase : std::uint8_t { handshake, data, teardown, reset };
const char* phase_name(Phase phase);  // "handshake", "data", "teardown", "reset"

// A data segment a side sent, remembered so that a later ACK can say which packet it confirms and a
// retransmission which packet it repeats.
struct SentSegment {
  std::uint32_t seq = 0;           // absolute sequence number of its first byte (or of its SYN)
  std::uint32_t end_seq = 0;       // absolute sequence number just past the segment
  std::uint32_t packet_index = 0;  // its packet number in the capture
  bool dropped = false;            // the lab's wire dropped it: the receiver never saw it
  bool copy = false;               // Wireshark's analysis called it a retransmission (of any kind)
  std::int64_t time_ns = 0;        // (last: 24 bytes without padding)
};

// One entry of Wireshark's list of a direction's unacknowledged segments (tcp_unacked_t): what it sent that the other
// side has not acknowledged yet, SYN and FIN counted as one sequence number each.
struct UnackedSegment {
  std::uint32_t seq = 0;
  std::uint32_t next_seq = 0;
};

// Wireshark's record of one direction for its sequence analysis (packet-tcp.c, tcp_analyze_seq_flow_info_t and
// the window fields of tcp_flow_t). Kept apart from the tracker's own numbers because Wireshark's have quirks the
// differential test must reproduce: raw numbers where 0 means "not seen yet", a zero-window probe does not move
// next_seq, and the window starts at 0xFFFFFFFF ("none yet").
struct SeqAnalysisSide {
  std::int64_t next_seq_time_ns = 0;      // when next_seq last moved
  std::int64_t last_ack_time_ns = 0;      // when its last segment was sent
  std::uint32_t next_seq = 0;             // one past the highest sequence number sent (0: none yet)
  std::uint32_t next_seq_frame = 0;       // the packet that last moved it
  std::uint32_t max_seq_to_be_acked = 0;  // end of the contiguous data seen, for "ACKed unseen segment"
  std::uint32_t last_ack = 0;             // the ACK field of its last segment (raw, even without the ACK flag)
  std::uint32_t window = 0xFFFFFFFF;      // the window field of its last segment, unscaled
  std::int32_t dup_acks = 0;              // duplicate ACKs in a row (-1: set aside after an ACKed unseen segment)
  std::uint32_t last_non_dup_ack = 0;     // the packet whose ACK they duplicate
  std::uint16_t last_analysis = 0;        // the analysis flags of its last segment (tcp_analysis.hpp)
  std::int8_t win_scale = -1;             // -1 not known (no SYN seen), -2 scaling not in use, else the shift
  // Wireshark 4.4's additions. The length of the segment that last moved next_seq (0 for a pure ACK that jumped it).
  std::uint32_t last_ack_len = 0;
  // The SACK blocks of its last segment that carried any, as Wireshark 4.4 stores them: relative to the other
  // side's base sequence number (a quirk: they are then compared with raw numbers).
  std::uint8_t sack_count = 0;
  std::array<UnackedSegment, 4> sack{};
  // The unacknowledged segments, oldest first. Wireshark keeps up to 10,000; a fixed 64 here (no heap): when full,
  // new segments are not listed, as Wireshark does at its limit. Retransmissions repeat the oldest, which stay.
  std::uint8_t unacked_count = 0;
  std::array<UnackedSegment, 64> unacked{};
};

// What one side of a TCP connection has sent, and its state.
struct TcpSide {
  bool seen = false;               // has this side sent anything yet
  bool base_known = false;
  std::uint32_t isn = 0;           // its initial sequence number: relative numbers are seq - isn
  std::uint32_t next_seq = 0;      // absolute: one past the highest sequence number it has sent
  bool ack_seen = false;
  std::uint32_t highest_ack = 0;   // the highest ACK it has sent (absolute, in the other side's numbers)
  bool syn_sent = false;
  bool syn_acked = false;          // the other side has acknowledged its SYN
  bool fin_sent = false;
  std::uint32_t fin_seq = 0;       // absolute sequence number of its FIN
  bool fin_acked = false;          // the other side has acknowledged its FIN
  bool fin_delivered = false;      // its FIN reached the other side (false while the lab's wire drops it)
  std::uint32_t fin_packet = 0;    // the packet that first carried its FIN
  std::uint32_t fin_held_packet = 0;  // the copy of its FIN that arrived beyond a gap (held by the receiver)
  std::uint32_t syn_packet = 0;    // the latest packet that carried its SYN (or SYN-ACK)
  std::uint32_t syn_arrived_packet = 0;  // the latest of them to reach the other side
  // What the other side has received of it, in order, where the lab's wire says exactly what arrived: every sequence
  // number before `delivered_next`, plus the ranges that arrived beyond a gap (held aside by the receiver).
  bool delivered_known = false;
  std::uint32_t delivered_next = 0;
  std::uint8_t delivered_ahead_count = 0;
  std::array<UnackedSegment, 8> delivered_ahead{};
  TcpState state = TcpState::unknown;
  bool nobody_listens = false;     // known to have no listening socket: a SYN to it changes nothing
  // Options it announced in its SYN.
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  bool timestamps = false;
  // Recent data segments (a small ring: no heap), for "this ACK confirms packet #4".
  std::array<SentSegment, 8> recent{};
  std::uint8_t recent_next = 0;
  SeqAnalysisSide analysis;
};

// What one side of a UDP exchange sent last, to recognise an echo without keeping the bytes.
struct UdpSide {
  std::uint64_t last_payload_hash = 0;
  std::uint32_t last_payload_len = 0;
  std::uint32_t last_packet_index = 0;
  std::int64_t last_time_ns = 0;
  bool seen = false;
};

struct SideCounters {
  std::uint32_t last_packet_index = 0;
  std::int64_t last_time_ns = 0;
  std::uint64_t packets = 0;
  std::uint64_t payload_bytes = 0;   // application data, each byte once
  std::uint64_t resent_bytes = 0;    // TCP payload bytes sent again (retransmissions), not counted above
  std::uint64_t wire_bytes = 0;
  std::uint8_t last_ttl = 0;         // the TTL (IPv6: hop limit) of its latest packet
};

// What went wrong in a TCP conversation, for its summary (Wireshark's expert notes, and the lab's drops).
struct TroubleCounts {
  std::uint32_t retransmissions = 0;       // every kind: plain, fast and spurious
  std::uint32_t fast_retransmissions = 0;
  std::uint32_t spurious_retransmissions = 0;
  std::uint32_t duplicate_acks = 0;
  std::uint32_t out_of_order = 0;
  std::uint32_t lost_segments = 0;         // "previous segment not captured"
  std::uint32_t acked_unseen = 0;
  std::uint32_t zero_windows = 0;
  std::uint32_t dropped_by_lab = 0;        // packets the lab's wire did not deliver (TCP and UDP)
  bool any() const {
    return retransmissions + duplicate_acks + out_of_order + lost_segments + acked_unseen + zero_windows +
               dropped_by_lab > 0;
  }
};

struct Conversation {
  FlowKey key;
  std::uint32_t stream = 0;          // 0-based, in order of first appearance (like Wireshark's tcp.stream)
  std::array<Endpoint, 2> endpoint;  // [client], [server]
  bool roles_guessed = false;        // no SYN seen: the roles are a guess (see tracker.cpp)
  bool mid_stream = false;           // the capture started after the connection did
  std::array<TcpSide, 2> tcp;        // [client], [server]
  std::array<UdpSide, 2> udp;        // [client], [server]
  std::array<SideCounters, 2> sent;  // [client], [server]
  std::array<std::uint64_t, 4> packets_in_phase{};  // indexed by Phase
  std::int64_t first_time_ns = 0;
  std::int64_t last_time_ns = 0;
  std::int64_t previous_gap_ns = 0;  // between its last two packets
  std::int64_t syn_time_ns = -1;     // handshake timing, -1 until seen
  std::int64_t syn_ack_time_ns = -1;
  std::int64_t handshake_done_ns = -1;
  // Wireshark's handshake timing for its out-of-order test: the latest SYN (0: none) and the time from it to
  // the first segment with ACK and without SYN (0: not yet).
  std::int64_t last_syn_ns = 0;
  std::int64_t first_rtt_ns = 0;
  TroubleCounts trouble;
  bool reset = false;
  bool saw_fin_ack = false;            // a segment with FIN and ACK (Wireshark's completeness flags: with a reset,
                                       // a later SYN starts a new tcp.stream in Wireshark 4.4)
  std::optional<Role> first_to_close;  // whose FIN came first: the active closer
  std::uint32_t first_packet_index = 0;
  std::uint32_t last_packet_index = 0;
  // HTTP riding on the connection (http_stream.hpp): made when a side's first bytes could be HTTP, so that the
  // many conversations that are not pay nothing. [side]: its first bytes could not be HTTP.
  std::unique_ptr<HttpConversation> http;
  std::array<bool, 2> not_http{};
  // TLS likewise (tls_stream.hpp): made when a side's first bytes are a TLS record header.
  std::unique_ptr<TlsConversation> tls;
  std::array<bool, 2> not_tls{};

  // Over, as far as the capture can tell: reset, or both sides closed (one may still wait in TIME-WAIT).
  bool ended() const;

  TcpSide& side(Role role) { return tcp[static_cast<int>(role)]; }
  const TcpSide& side(Role role) const { return tcp[static_cast<int>(role)]; }
  const Endpoint& at(Role role) const { return endpoint[static_cast<int>(role)]; }
};

}  // namespace lab::flow
