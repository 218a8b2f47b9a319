#pragma once
// What the tracker concluded from one packet: everything the annotator and renderers need beyond the
// decoded headers. Derived only from the packets seen so far.
#include <cstdint>

#include "capture/flow/analysis_flags.hpp"
#include "capture/flow/arp_tracker.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/http_observation.hpp"
#include "capture/flow/rst_clues.hpp"
#include "capture/flow/tls_observation.hpp"

namespace lab::flow {

struct TcpObservation {
  std::uint32_t rel_seq = 0;        // seq - ISN of the sender (the SYN is 0, the first data byte 1)
  std::uint32_t rel_ack = 0;        // ack - ISN of the receiver (valid when the ACK flag is set)
  std::uint32_t rel_next_seq = 0;   // what the sender's next new segment will start with
  std::uint32_t seq_len = 0;        // sequence numbers this segment consumes: payload + SYN + FIN
  std::uint32_t new_bytes = 0;      // payload bytes beyond all the sender had sent before (the rest were sent again)
  std::uint8_t handshake_step = 0;  // 1 SYN, 2 SYN-ACK, 3 the ACK that completes it; 0 otherwise
  bool first_ack_of_syn = false;    // the first ACK its sender sent (not dropped before) that covers the other's SYN
  bool capture_corrected = false;   // a SYN (or SYN-ACK) sent again by a side the capture had shown ESTABLISHED: it
                                    // had not received what the capture took as arrived; its state is set back
  bool new_fin = false;             // the first FIN from this side (not a retransmission)
  bool fin_arrives = false;         // the sender's FIN takes effect in the receiver (with this packet's receipt)
  bool fin_held = false;            // its FIN arrived beyond a gap: the receiver keeps it aside until the gap is filled
  std::uint32_t gap_from = 0;       // with fin_held: the first sequence number the receiver is missing (relative)
  std::uint32_t fin_from_packet = 0;  // with fin_arrives: the packet that carried that FIN (this one, or an earlier
                                      // one held aside until this packet filled the gap)
  bool simultaneous_close = false;  // a new FIN sent before the other side's FIN was acknowledged
  bool acks_syn = false;            // this ACK is the first to acknowledge the receiver's SYN
  bool acks_fin = false;            // this ACK is the first to acknowledge the receiver's FIN
  std::uint32_t newly_acked = 0;    // how many sequence numbers this ACK confirms beyond the previous one
  std::uint32_t acked_packet = 0;   // the packet whose last byte this ACK confirms (0: none known)
  std::int64_t acked_packet_age_ns = 0;  // how long after that packet this ACK was sent
  std::uint8_t acked_segments = 0;  // how many remembered data segments this ACK confirms for the first time
  std::uint32_t first_acked_packet = 0, last_acked_packet = 0;  // the first and last of them
  bool piggybacked = false;         // data and a new ACK in one segment
  TcpState before[2]{};             // [client], [server] before this packet: the sender's as it sent it, the
                                    // receiver's as it arrived (with --delay, the receiver may have moved since)
  TcpState receiver_when_sent{};    // the receiver's state when the packet was sent
  TcpState after[2]{};              // [client], [server] after it was sent and received (if it was)
  // Wireshark's sequence analysis (analysis_flags.hpp), with the packets it refers to.
  analysis::AnalysisFlags analysis;
  std::uint32_t dup_ack_num = 0;     // duplicate ACK #n in a row (0: not a duplicate ACK)
  std::uint32_t dup_ack_frame = 0;   // the packet whose ACK it repeats
  // For a retransmission (of any kind): the packets that carried the same sequence numbers before, as far as
  // the tracker's small memory of recent segments reaches (0: not known).
  std::uint32_t retransmission_of = 0;        // the first of them: the original
  bool original_dropped = false;              // the lab's wire dropped that original
  std::uint32_t copies_before = 0;            // how many carried them before (1: the first retransmission)
  std::int64_t since_previous_copy_ns = 0;    // time since the latest of them
  std::uint32_t previous_copy = 0;            // the latest of them
  bool previous_copy_dropped = false;         // the lab's wire dropped that one
  std::uint32_t receiver_rel_ack = 0;         // what the receiver had acknowledged (relative), if it had
  bool receiver_acked = false;
  std::uint64_t receiver_window = 0;          // the receiver's last window in bytes (scaled when known)
  // A bare ACK answering a copy of what the sender had already received (RFC 9293 3.10.7.4: a segment that is
  // entirely old is answered with an ACK of where the receiver stands): that copy's packet (0: not such an ACK).
  std::uint32_t answers_copy = 0;
  // A SYN-ACK sent again in answer to a repeated SYN that reached its sender since its previous SYN-ACK (RFC 9293
  // 3.10.7.4 has a SYN-RECEIVED side answer a retransmitted SYN; Linux resends its SYN-ACK): that SYN's packet.
  std::uint32_t answers_syn = 0;
  std::uint32_t packet_index = 0;               // this packet's number (for the receiver's step)
  // With a later receipt: the receiver's latest packet sent before this one reached it (0: none since this one).
  std::uint32_t receiver_sent_before_arrival = 0;
  std::int64_t since_sender_previous_ns = 0;  // time since the sender's previous packet (0: this is its first)
  std::uint32_t expected_seq = 0;             // raw: where the sender's data had ended before this segment
  std::uint32_t previous_window = 0;          // raw: the window field of the sender's previous segment
  RstClues rst;                               // with RST: what the packets before it say of why (rst_clues.hpp)
  bool has(std::uint16_t flag) const { return analysis.has(flag); }
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
  bool delivered = true;  // false: the lab's wire dropped it, the receiver never saw it
  TcpObservation tcp;   // when the packet is TCP
  UdpObservation udp;   // when the packet is UDP
  IcmpObservation icmp; // when the packet is an ICMP error
  ArpObservation arp;   // an ARP packet, or an IPv4 frame sent to the MAC an ARP reply gave
  HttpObservation http; // a TCP segment carrying HTTP (http_stream.hpp)
  TlsObservation tls;   // a TCP segment carrying TLS records (tls_stream.hpp)
};

}  // namespace lab::flow
