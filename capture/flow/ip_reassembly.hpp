#pragma once
// IP reassembly (RFC 791 3.2, RFC 8200 4.5): fragments in, whole datagrams out, in fixed memory. A sender splits a
// datagram too big for the link into fragments that share an identification; only the first carries the transport
// header, and the receiver's IP puts them back together before TCP or UDP see anything. Packet bytes are untrusted:
// at most `max_datagrams_in_progress` datagrams are collected at once (the oldest is given up to make room), each in a
// 65,535-byte buffer allocated once and then reused, with at most `max_fragments_per_datagram` pieces; a datagram
// still incomplete after `reassembly_timeout_ns` of capture time is given up, as Linux does after ipfrag_time.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/decode/ip_address.hpp"
#include "capture/decode/packet.hpp"

namespace lab::flow {

inline constexpr std::size_t max_datagrams_in_progress = 8;
inline constexpr std::size_t max_fragments_per_datagram = 128;
inline constexpr std::uint32_t max_ip_datagram = 65'535;          // IPv4's total length, IPv6's payload length
inline constexpr std::int64_t reassembly_timeout_ns = 30'000'000'000;  // Linux's default net.ipv4.ipfrag_time

// What was wrong with a fragment. All but `duplicate` make the receiver throw its datagram away.
enum class FragmentProblem : std::uint8_t {
  none,
  duplicate,     // the same offset and length as an earlier fragment: a copy, ignored (RFC 5722 section 4)
  overlap,       // overlaps an earlier fragment otherwise: the whole datagram is discarded (RFC 5722)
  inconsistent,  // past the end the last fragment set, or a second last fragment with another end
  too_large,     // the datagram would exceed 65,535 bytes
  too_many,      // more than max_fragments_per_datagram pieces
  uneven,        // More Fragments set, yet its length is not a positive multiple of 8 (RFC 791, RFC 8200)
  not_captured,  // the capture cut it short (snap length): its bytes are unknown, the datagram cannot be rebuilt
  discarded,     // its datagram had already been discarded (at an earlier fragment)
};
// "duplicate", "overlap", ... as the JSON spells them; "none".
const char* fragment_problem_name(FragmentProblem problem);

enum class GiveUpReason : std::uint8_t { timeout, evicted };
const char* give_up_reason_name(GiveUpReason reason);  // "timeout", "evicted"

// A datagram given up while incomplete.
struct GivenUpDatagram {
  bool v6 = false;
  std::uint32_t id = 0;
  lab::decode::IpAddress src, dst;
  std::uint16_t fragments = 0;      // how many had arrived
  std::uint32_t first_packet = 0;   // the first of them
  std::int64_t waited_ns = 0;       // since that first one
  GiveUpReason reason = GiveUpReason::timeout;
};

// What reassembly made of one packet: valid until the next IpReassembly::add.
struct FragmentReport {
  bool is_fragment = false;
  bool v6 = false;
  std::uint32_t id = 0;             // identification
  std::uint32_t offset = 0;         // bytes into the datagram's payload
  std::uint32_t length = 0;         // payload bytes it carries
  bool more = false;                // More Fragments
  std::uint16_t index = 0;          // the index-th fragment of its datagram to arrive (1-based)
  FragmentProblem problem = FragmentProblem::none;
  std::uint32_t problem_with = 0;   // duplicate, overlap: the earlier fragment's packet; discarded: where it was
  bool discards = false;            // this fragment made the datagram be discarded
  std::uint16_t discarded_fragments = 0;  // with discards: how many fragments were thrown away with it

  // When this fragment completes its datagram:
  bool completes = false;
  std::uint32_t datagram_length = 0;  // the reassembled payload (transport header and data)
  std::uint32_t wire_bytes = 0;       // all its fragments on the wire
  std::uint32_t dropped_packet = 0;   // a fragment of it the lab's wire dropped (0: none)
  std::uint16_t fragment_count = 0;
  std::array<std::uint32_t, max_fragments_per_datagram> packets{};  // its fragments' packets, in offset order

  // Other datagrams given up at this packet, incomplete: timed out, or evicted to make room.
  std::uint8_t given_up_count = 0;
  std::array<GivenUpDatagram, max_datagrams_in_progress> given_up{};

  std::span<const std::uint32_t> fragment_packets() const { return std::span(packets).first(fragment_count); }
  std::span<const GivenUpDatagram> given_up_datagrams() const { return std::span(given_up).first(given_up_count); }
};

class IpReassembly {
 public:
  // Every packet passes here, fragment or not, so that a datagram waiting too long is given up on time.
  // `delivered`: false when the lab's wire dropped the packet.
  const FragmentReport& add(std::uint32_t packet_index, std::int64_t time_ns, std::uint32_t wire_len, bool delivered,
                            const lab::decode::DecodedPacket& packet);
  // The payload of the datagram the last add() completed; valid until the next add().
  std::span<const std::uint8_t> datagram() const { return datagram_; }
  std::size_t in_progress() const;

 private:
  struct Piece {
    std::uint32_t offset = 0, end = 0, packet = 0;
  };
  struct Slot {
    bool used = false;
    bool discarded = false;  // given up at `discarded_at`: later fragments of it are absorbed until it times out
    bool v6 = false;
    std::uint8_t protocol = 0;
    std::uint32_t id = 0;
    lab::decode::IpAddress src, dst;
    std::int64_t first_time_ns = 0;
    std::uint32_t first_packet = 0;  // the fragment that opened it (the first to arrive)
    std::uint32_t discarded_at = 0;
    std::uint32_t end = 0;  // the payload's length, once the last fragment (MF clear) has arrived
    bool end_known = false;
    std::uint32_t header_len = 0;  // IPv4: the first-seen header's length, which counts against 65,535
    std::uint16_t arrived = 0;
    std::uint16_t count = 0;  // pieces kept, sorted by offset
    std::uint32_t wire_bytes = 0;
    std::uint32_t dropped_packet = 0;
    std::array<Piece, max_fragments_per_datagram> pieces{};
    std::vector<std::uint8_t> bytes;  // max_ip_datagram long once first used, then reused
  };

  void expire(std::int64_t time_ns);
  Slot& slot_for(const lab::decode::DecodedPacket& packet, std::uint32_t packet_index, std::int64_t time_ns);
  void give_up(Slot& slot, GiveUpReason reason, std::int64_t time_ns);
  void discard(Slot& slot, FragmentProblem problem, std::uint32_t packet_index);
  void store(Slot& slot, std::uint32_t packet_index, std::uint32_t wire_len, bool delivered,
             const lab::decode::DecodedPacket& packet);

  std::array<Slot, max_datagrams_in_progress> slots_{};
  FragmentReport report_;
  std::span<const std::uint8_t> datagram_;
};

}  // namespace lab::flow
