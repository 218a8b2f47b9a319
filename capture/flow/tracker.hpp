#pragma once
// The per-conversation tracker: takes decoded packets in capture order and returns what each one means for
// its conversation (roles, relative sequence numbers, each endpoint's TCP state, the phase). Its only clock
// is the packet timestamp; it never assumes one conversation or one host.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "capture/decode/packet.hpp"
#include "capture/flow/arp_tracker.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/flow_key.hpp"
#include "capture/flow/listener.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"

namespace lab::flow {

class Tracker {
 public:
  // `rules`: whose TCP analysis and tcp.stream numbering to reproduce (wireshark_rules.hpp). `listener`: whether
  // the server of a connection opened in the capture listens (then it starts in LISTEN, its client in CLOSED).
  explicit Tracker(WiresharkRules rules = default_wireshark_rules, Listener listener = Listener::unknown)
      : rules_(rules), listener_(listener) {}

  // `packet_index` is the packet's 1-based number in the capture; `wire_len` its length on the wire.
  // Packets that are not TCP or UDP (or whose transport header is missing) get an observation with no
  // conversation; ARP frames and the IPv4 frames after an ARP reply get their `arp` part. `delivered` is false for a packet the lab's own wire captured and then dropped: it counts as
  // sent, not as received (see track_tcp_segment).
  // `exact_delivery`: the packet passed the lab's wire, which knows what reached the receiver.
  // With `receipt_later` (the lab's wire holds the packet: --delay), only the sender's step is taken now; call
  // observe_receipt when it arrives. The observation's conversation stays valid while such packets are pending,
  // unless the caller lets conversations go (release_quiet) or a SYN replaces one (would_replace tells).
  Observation observe(std::uint32_t packet_index, std::int64_t time_ns, std::uint32_t wire_len,
                      const lab::decode::DecodedPacket& packet, bool delivered = true, bool receipt_later = false,
                      bool exact_delivery = false);
  // The receiver's step for a packet observed with `receipt_later`: it has arrived now.
  void observe_receipt(const lab::decode::DecodedPacket& packet, Observation& observation);
  // The application on `role`'s side of `conversation` closed it (close_called in tcp_tracking.hpp).
  void close_called(const Conversation& conversation, Role role, bool resets);
  // Would this packet start a new connection on the ports of one held now (a SYN with a new ISN, ...)?
  bool would_replace(const lab::decode::DecodedPacket& packet) const;

  // Every conversation still held, in order of first appearance.
  std::vector<const Conversation*> conversations() const;
  std::size_t size() const { return conversations_.size(); }

  // Lets go of conversations that are over and have been quiet for a while, or idle for long, so that
  // memory does not grow with the length of a capture. They move to the ended list.
  void release_quiet(std::uint32_t packet_index, std::int64_t time_ns);
  // Conversations let go since the last call (by release_quiet, or because a new SYN reused the ports of
  // one that was over), oldest first. The caller reports them; then they are gone.
  std::vector<Conversation>& ended() { return ended_; }
  std::uint64_t ended_count() const { return ended_count_; }

  // ARP: which requests were answered, and what the capture's IPv4 frames did with the answers.
  const ArpTracker& arp() const { return arp_; }

 private:
  void observe_icmp_error(const lab::decode::DecodedPacket& packet, Observation& observation) const;
  Conversation& find_or_add(const FlowKey& key, std::uint32_t packet_index, std::int64_t time_ns);

  bool replaces(const Conversation& old, const Endpoint& src, const lab::decode::TcpHeader& tcp) const;

  WiresharkRules rules_;
  Listener listener_;
  std::unordered_map<FlowKey, Conversation, FlowKeyHash> conversations_;
  std::uint32_t next_tcp_stream_ = 0;
  std::uint32_t next_udp_stream_ = 0;
  std::vector<Conversation> ended_;
  std::uint64_t ended_count_ = 0;
  ArpTracker arp_;
};

}  // namespace lab::flow
