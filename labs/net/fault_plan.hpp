#pragma once
// Which packets the lab's wire drops or delays: `--drop KIND[:N]`, `--loss PERCENT --seed S`, `--delay MS`.
// Pure: it sees each decoded packet once, in the order the wire carries them, and decides. Same options and the
// same packets in the same order -> the same decisions, on every run.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/decode/packet.hpp"

namespace lab::labs {

// The kinds a student can name. For UDP, `request` is a client datagram and `reply` a server one.
enum class PacketKind : std::uint8_t {
  syn,      // TCP SYN without ACK (the client's, or a retransmission of it)
  syn_ack,  // TCP SYN+ACK
  ack,      // the handshake's third packet: the client's first bare ACK after a SYN-ACK
  request,  // data from the client (TCP payload > 0, or a UDP datagram)
  reply,    // data from the server
  fin,      // any TCP segment with FIN
  other,    // anything else (bare ACKs, RSTs, ICMP...): never named by --drop
};
const char* packet_kind_name(PacketKind kind);  // "syn", "syn-ack", ...

enum class Direction : std::uint8_t { to_server, to_client };

struct DropRule {
  PacketKind kind = PacketKind::syn;
  std::uint32_t nth = 1;  // 1-based: the N-th packet of this kind the wire carries (retransmissions count)
};

// "syn", "syn-ack:2", "reply:3". On a bad spec returns nullopt and sets `error` to one line naming the kinds.
// The names are packet_kind_name()'s.
std::optional<DropRule> parse_drop_rule(std::string_view text, std::string& error);

struct FaultOptions {
  std::vector<DropRule> drops;
  double loss_percent = 0;   // 0..100: each packet is lost with this probability (seeded, reproducible)
  std::uint64_t seed = 1;
  std::uint32_t delay_ms = 0;  // one-way latency added to every packet, each direction
  bool any() const { return !drops.empty() || loss_percent > 0 || delay_ms > 0; }
};

struct Verdict {
  bool drop = false;
  PacketKind kind = PacketKind::other;
  std::uint32_t nth_of_kind = 0;  // this packet is the N-th of its kind (0 for `other`)
  bool by_rule = false;           // dropped by a --drop rule (otherwise by --loss)
};

// A --drop rule whose packet never came: the wire carried only `seen` packets of its kind.
struct UnmatchedDrop {
  DropRule rule;
  std::uint32_t seen = 0;
};

class FaultPlan {
 public:
  explicit FaultPlan(FaultOptions options);
  // Called once per frame the wire carries, in order. Frames that are not IP (ARP...) are never dropped.
  // Random loss: the k-th IP packet of a direction is lost when a hash of (seed, direction, k) falls under the
  // percentage. A hash and not <random>'s distributions, whose results differ between standard libraries.
  Verdict decide(Direction direction, const lab::decode::DecodedPacket& packet);
  const FaultOptions& options() const { return options_; }
  // The --drop rules that matched no packet so far (request:99 with one message), in the order given.
  std::vector<UnmatchedDrop> unmatched_drops() const;

 private:
  PacketKind classify(Direction direction, const lab::decode::DecodedPacket& packet);
  bool lost_at_random(Direction direction, std::uint64_t k) const;

  FaultOptions options_;
  static constexpr std::size_t kind_count = static_cast<std::size_t>(PacketKind::other) + 1;
  std::uint32_t seen_of_kind_[kind_count] = {};  // per PacketKind: how many the wire has carried so far
  std::uint64_t seen_of_direction_[2] = {};  // per Direction: the k that keys the seeded loss
  bool awaiting_third_ = false;            // a SYN-ACK passed and the client has sent neither its ACK nor data
};

}  // namespace lab::labs
