#pragma once
// One conversation (a TCP connection or a UDP exchange) as the tracker knows it: who is the client, and for
// each side what it has sent and which TCP state it is in. Suricata-style: one record per direction.
#include <array>
#include <cstdint>
#include <optional>

#include "capture/flow/flow_key.hpp"
#include "capture/flow/tcp_state.hpp"

namespace lab::flow {

enum class Role : std::uint8_t { client = 0, server = 1 };
inline Role other(Role role) { return role == Role::client ? Role::server : Role::client; }
const char* role_name(Role role);  // "client" / "server"

enum class Phase : std::uint8_t { handshake, data, teardown, reset };
const char* phase_name(Phase phase);  // "handshake", "data", "teardown", "reset"

// A data segment a side sent, remembered so that a later ACK can say which packet it confirms.
struct SentSegment {
  std::uint32_t end_seq = 0;       // absolute sequence number just past the segment
  std::uint32_t packet_index = 0;  // its packet number in the capture
  std::int64_t time_ns = 0;
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
  TcpState state = TcpState::unknown;
  // Options it announced in its SYN.
  std::optional<std::uint16_t> mss;
  std::optional<std::uint8_t> window_scale;
  bool sack_permitted = false;
  bool timestamps = false;
  // Recent data segments (a small ring: no heap), for "this ACK confirms packet #4".
  std::array<SentSegment, 8> recent{};
  std::uint8_t recent_next = 0;
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
  std::uint64_t packets = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t wire_bytes = 0;
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
  std::int64_t syn_time_ns = -1;     // handshake timing, -1 until seen
  std::int64_t syn_ack_time_ns = -1;
  std::int64_t handshake_done_ns = -1;
  bool reset = false;
  std::optional<Role> first_to_close;  // whose FIN came first: the active closer
  std::uint32_t first_packet_index = 0;
  std::uint32_t last_packet_index = 0;

  // Over, as far as the capture can tell: reset, or both sides closed (one may still wait in TIME-WAIT).
  bool ended() const;

  TcpSide& side(Role role) { return tcp[static_cast<int>(role)]; }
  const TcpSide& side(Role role) const { return tcp[static_cast<int>(role)]; }
  const Endpoint& at(Role role) const { return endpoint[static_cast<int>(role)]; }
};

}  // namespace lab::flow
