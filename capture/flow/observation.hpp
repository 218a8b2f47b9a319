#pragma once
// What the tracker concluded from one packet: everything the annotator and renderers need beyond the
// decoded headers. Derived only from the packets seen so far.
#include <cstdint>

#include "capture/flow/conversation.hpp"

namespace lab::flow {

struct TcpObservation {
  std::uint32_t rel_seq = 0;        // seq - ISN of the sender (the SYN is 0, the first data byte 1)
  std::uint32_t rel_ack = 0;        // ack - ISN of the receiver (valid when the ACK flag is set)
  std::uint32_t rel_next_seq = 0;   // what the sender's next new segment will start with
  std::uint32_t seq_len = 0;        // sequence numbers this segment consumes: payload + SYN + FIN
  std::uint8_t handshake_step = 0;  // 1 SYN, 2 SYN-ACK, 3 the ACK that completes it; 0 otherwise
  bool new_fin = false;             // the first FIN from this side (not a retransmission)
  bool simultaneous_close = false;  // a new FIN sent before the other side's FIN was acknowledged
  bool acks_syn = false;            // this ACK is the first to acknowledge the receiver's SYN
  bool acks_fin = false;            // this ACK is the first to acknowledge the receiver's FIN
  std::uint32_t newly_acked = 0;    // how many sequence numbers this ACK confirms beyond the previous one
  std::uint32_t acked_packet = 0;   // the packet whose last byte this ACK confirms (0: none known)
  std::int64_t acked_packet_age_ns = 0;  // how long after that packet this ACK was sent
  bool piggybacked = false;         // data and a new ACK in one segment
  TcpState before[2]{};             // [client], [server] before this packet
  TcpState after[2]{};              // [client], [server] after it was sent and received
};

struct UdpObservation {
  std::uint32_t datagram_number = 0;  // 1-based within the conversation
  bool echoes_previous = false;       // same bytes as the other side's last datagram: an echo
  std::uint32_t echoed_packet = 0;    // that datagram's packet number
  std::int64_t echo_delay_ns = 0;
};

// An ICMP error tied to the conversation whose packet it quotes.
struct IcmpObservation {
  const Conversation* about = nullptr;  // valid until the next call to the tracker
  Role about_sender = Role::client;     // who sent the packet the error quotes
  std::uint32_t about_packet = 0;       // that side's latest packet before the error (0: none seen)
  std::uint8_t quoted_protocol = 0;     // 6 TCP, 17 UDP... (0: nothing usable quoted)
};

struct Observation {
  const Conversation* conversation = nullptr;  // valid until the next call to the tracker
  Role from = Role::client;
  Phase phase = Phase::data;
  bool first_of_conversation = false;
  TcpObservation tcp;   // when the packet is TCP
  UdpObservation udp;   // when the packet is UDP
  IcmpObservation icmp; // when the packet is an ICMP error
};

}  // namespace lab::flow
