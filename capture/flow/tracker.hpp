#pragma once
// The per-conversation tracker: takes decoded packets in capture order and returns what each one means for
// its conversation (roles, relative sequence numbers, each endpoint's TCP state, the phase). Its only clock
// is the packet timestamp; it never assumes one conversation or one host.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "capture/decode/packet.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/flow_key.hpp"
#include "capture/flow/observation.hpp"
#include "capture/flow/wireshark_rules.hpp"

namespace lab::flow {

class Tracker {
 public:
  // `rules`: whose TCP analysis and tcp.stream numbering to reproduce (wireshark_rules.hpp).
  explicit Tracker(WiresharkRules rules = default_wireshark_rules) : rules_(rules) {}

  // `packet_index` is the packet's 1-based number in the capture; `wire_len` its length on the wire.
  // Packets that are not TCP or UDP (or whose transport header is missing) get an observation with no
  // conversation. `delivered` is false for a packet the lab's own wire captured and then dropped: it counts as
  // sent, not as received (see track_tcp_segment).
  Observation observe(std::uint32_t packet_index, std::int64_t time_ns, std::uint32_t wire_len,
                      const lab::decode::DecodedPacket& packet, bool delivered = true);

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

 private:
  void observe_icmp_error(const lab::decode::DecodedPacket& packet, Observation& observation) const;
  Conversation& find_or_add(const FlowKey& key, std::uint32_t packet_index, std::int64_t time_ns);

  WiresharkRules rules_;
  std::unordered_map<FlowKey, Conversation, FlowKeyHash> conversations_;
  std::uint32_t next_tcp_stream_ = 0;
  std::uint32_t next_udp_stream_ = 0;
  std::vector<Conversation> ended_;
  std::uint64_t ended_count_ = 0;
};

}  // namespace lab::flow
