#pragma once
// ARP across packets: which request a reply answers, a question asked again, the IPv4 frame that goes to the MAC a
// reply gave, and at the end the requests no reply followed. In bounded memory (fixed tables, no allocation per
// packet): a long capture's oldest unanswered requests are let go, and counted as such.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "capture/decode/packet.hpp"

namespace lab::flow {

// What the ARP tracker concluded about one packet. All 0/false for a packet it had nothing to say about.
struct ArpObservation {
  // A reply (not gratuitous): the latest earlier request it answers (same question: the asker's IP and MAC are the
  // reply's target, the address asked about its sender IP; on the same VLAN). 0: no such request in the capture.
  std::uint32_t answers = 0;
  std::int64_t answer_delay_ns = 0;     // from that request to this reply
  bool answers_probe = false;           // that request was an ARP probe (RFC 5227): the address is in use
  // A request: the latest earlier one asking the same question from the same asker that no reply has answered yet.
  // A reply: the latest earlier reply that answered the same request (this one answers it again).
  std::uint32_t repeats = 0;
  // A reply that answers nothing: whether the tracker had let requests go before it (to keep its memory bounded), so
  // that the one it answers may have come and been forgotten.
  bool requests_forgotten = false;
  // An IPv4 frame, the first one from an asker to the address it asked about after the reply: when its source MAC is
  // the asker's and its destination MAC the one the reply gave, that reply's packet (0 otherwise).
  std::uint32_t dst_mac_from_reply = 0;
  std::uint32_t reply_answered = 0;  // with dst_mac_from_reply: the request that reply answers (0: not seen)
};

// A request the tracker remembers.
struct ArpRequestRecord {
  std::uint32_t packet = 0;
  std::int64_t time_ns = 0;
  lab::decode::MacAddress asker_mac;  // ar$sha
  lab::decode::IpAddress asker_ip;    // ar$spa (0.0.0.0 for a probe)
  lab::decode::IpAddress wanted_ip;   // ar$tpa
  std::uint16_t vlan = 0;             // outer VLAN id + 1; 0: untagged
  bool probe = false;
};

// The ARP traffic of a whole capture, for the summary.
struct ArpSummary {
  std::uint64_t packets = 0;     // every frame with EtherType 0x0806
  std::uint64_t requests = 0;    // requests that ask for an address (not gratuitous, not probes)
  std::uint64_t replies = 0;     // replies that are not gratuitous
  std::uint64_t probes = 0;      // RFC 5227 probes
  std::uint64_t gratuitous = 0;  // gratuitous requests and replies
  std::uint64_t other = 0;       // another operation, another kind of ARP, or cut short
  // Requests (not probes) that no reply followed anywhere in the capture, oldest first.
  std::vector<ArpRequestRecord> unanswered;
  // Requests let go before the end while still unanswered, to make room: whether a reply came later is not known.
  std::uint64_t forgotten = 0;
};

class ArpTracker {
 public:
  // How many unanswered requests, and how many replies waiting for the asker's first IPv4 frame, are remembered.
  static constexpr std::size_t remembered_requests = 64;
  static constexpr std::size_t remembered_replies = 16;
  static constexpr std::size_t remembered_answers = 16;  // questions answered, for a second reply to the same

  // An ARP frame (EtherType 0x0806, decoded or not).
  void observe_arp(std::uint32_t packet_index, std::int64_t time_ns, const lab::decode::DecodedPacket& packet,
                   ArpObservation& observation);
  // An IPv4 frame with Ethernet MACs: is it the first from an asker to the address a reply gave it?
  void observe_ipv4(const lab::decode::DecodedPacket& packet, ArpObservation& observation);

  ArpSummary summary() const;
  bool any() const { return counts_.packets > 0; }

 private:
  struct Learned {
    lab::decode::IpAddress asker_ip;     // the reply's target IP
    lab::decode::MacAddress asker_mac;   // the reply's target MAC
    lab::decode::IpAddress answered_ip;  // the reply's sender IP: the address asked about
    lab::decode::MacAddress answered_mac;  // the reply's sender MAC: the answer
    std::uint16_t vlan = 0;
    std::uint32_t reply_packet = 0;
    std::uint32_t answered = 0;  // the request the reply answers (0: not seen)
  };
  void remember_request(const ArpRequestRecord& request);
  void observe_reply(std::uint32_t packet_index, std::int64_t time_ns, const lab::decode::ArpHeader& reply,
                     std::uint16_t vlan, ArpObservation& observation);

  std::array<ArpRequestRecord, remembered_requests> pending_{};  // unanswered so far, oldest first
  std::size_t pending_count_ = 0;
  std::array<Learned, remembered_replies> learned_{};  // oldest first
  std::size_t learned_count_ = 0;
  struct Answered {
    ArpRequestRecord request;        // the latest request with the question
    std::uint32_t reply_packet = 0;  // the latest reply that answered it
  };
  std::array<Answered, remembered_answers> answered_{};  // oldest first
  std::size_t answered_count_ = 0;
  bool forgot_any_ = false;  // a request, asked or answered, was let go to make room
  ArpSummary counts_;  // its `unanswered` stays empty: summary() fills it from pending_
};

}  // namespace lab::flow
