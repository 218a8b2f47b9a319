#include "labs/net/fault_plan.hpp"

#include <charconv>
#include <utility>

namespace lab::labs {

namespace {

using lab::decode::DecodedPacket;
namespace tcp_flag = lab::decode::tcp_flag;

constexpr PacketKind named_kinds[] = {PacketKind::syn,     PacketKind::syn_ack, PacketKind::ack,
                                      PacketKind::request, PacketKind::reply,   PacketKind::fin};

const char* const kinds_line = "syn, syn-ack, ack (the handshake's third), request, reply or fin";

// SplitMix64's finaliser (Steele, Lea, Flood 2014): every input bit affects every output bit, so consecutive
// k give unrelated results. Fixed arithmetic: the same on every compiler and machine.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::size_t slot(PacketKind kind) { return static_cast<std::size_t>(kind); }

}  // namespace

const char* packet_kind_name(PacketKind kind) {
  switch (kind) {
    case PacketKind::syn: return "syn";
    case PacketKind::syn_ack: return "syn-ack";
    case PacketKind::ack: return "ack";
    case PacketKind::request: return "request";
    case PacketKind::reply: return "reply";
    case PacketKind::fin: return "fin";
    case PacketKind::other: return "other";
  }
  return "other";
}

std::optional<DropRule> parse_drop_rule(std::string_view text, std::string& error) {
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  DropRule rule;
  bool known = false;
  for (PacketKind kind : named_kinds) {
    if (name == packet_kind_name(kind)) {
      rule.kind = kind;
      known = true;
    }
  }
  if (!known) {
    error = "--drop " + std::string(text) + ": unknown kind '" + std::string(name) + "'; use " + kinds_line +
            ", optionally with :N for the N-th one (syn:2)";
    return std::nullopt;
  }
  if (colon != std::string_view::npos) {
    const std::string_view count = text.substr(colon + 1);
    const auto [end, status] = std::from_chars(count.data(), count.data() + count.size(), rule.nth);
    if (count.empty() || status != std::errc() || end != count.data() + count.size() || rule.nth == 0) {
      error = "--drop " + std::string(text) + ": after ':' comes N, a whole number from 1 (" + std::string(name) +
              ":2 drops the second " + std::string(name) + "); kinds: " + kinds_line;
      return std::nullopt;
    }
  }
  return rule;
}

FaultPlan::FaultPlan(FaultOptions options) : options_(std::move(options)) {}

Verdict FaultPlan::decide(Direction direction, const DecodedPacket& packet) {
  Verdict verdict;
  if (!packet.has_ip()) return verdict;  // ARP and the like: not the lab's traffic, never dropped
  verdict.kind = classify(direction, packet);
  if (verdict.kind != PacketKind::other) verdict.nth_of_kind = ++seen_of_kind_[slot(verdict.kind)];
  // Every IP packet advances its direction's k, dropped or not, so that one decision never shifts the next.
  const std::uint64_t k = ++seen_of_direction_[static_cast<std::size_t>(direction)];

  for (const DropRule& rule : options_.drops) {
    if (verdict.kind != PacketKind::other && rule.kind == verdict.kind && rule.nth == verdict.nth_of_kind) {
      verdict.drop = true;
      verdict.by_rule = true;
      return verdict;
    }
  }
  verdict.drop = lost_at_random(direction, k);
  return verdict;
}

std::vector<UnmatchedDrop> FaultPlan::unmatched_drops() const {
  std::vector<UnmatchedDrop> unmatched;
  for (const DropRule& rule : options_.drops) {
    // Counts only grow, and a rule matches when its kind's count reaches N: below N, it never did.
    const std::uint32_t seen = seen_of_kind_[slot(rule.kind)];
    if (seen < rule.nth) unmatched.push_back({rule, seen});
  }
  return unmatched;
}

PacketKind FaultPlan::classify(Direction direction, const DecodedPacket& packet) {
  const bool from_client = direction == Direction::to_server;
  if (packet.udp) return from_client ? PacketKind::request : PacketKind::reply;
  if (!packet.tcp) return PacketKind::other;  // ICMP, or a header too short to read
  const auto& tcp = *packet.tcp;
  if (tcp.has(tcp_flag::rst)) return PacketKind::other;
  if (tcp.has(tcp_flag::syn)) {
    if (!tcp.has(tcp_flag::ack)) {
      awaiting_third_ = false;  // a new (or retried) connection: its handshake starts over
      return PacketKind::syn;
    }
    awaiting_third_ = true;  // each SYN-ACK, retransmissions too, asks for a third packet
    return PacketKind::syn_ack;
  }
  if (tcp.has(tcp_flag::fin)) return PacketKind::fin;
  if (packet.payload_len > 0) {
    if (from_client) awaiting_third_ = false;  // data from the client completes the handshake too
    return from_client ? PacketKind::request : PacketKind::reply;
  }
  if (from_client && awaiting_third_ && tcp.has(tcp_flag::ack)) {
    awaiting_third_ = false;
    return PacketKind::ack;
  }
  return PacketKind::other;
}

bool FaultPlan::lost_at_random(Direction direction, std::uint64_t k) const {
  if (options_.loss_percent <= 0) return false;
  const std::uint64_t keyed = splitmix64(options_.seed) ^ (static_cast<std::uint64_t>(direction) + 1);
  const std::uint64_t hash = splitmix64(splitmix64(keyed) ^ k);
  // The top 53 bits as a fraction in [0, 1): exact in a double, so the comparison is the same everywhere.
  const double uniform = static_cast<double>(hash >> 11) * 0x1.0p-53;
  return uniform * 100.0 < options_.loss_percent;
}

}  // namespace lab::labs
