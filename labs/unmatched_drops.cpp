#include "labs/unmatched_drops.hpp"

#include <fmt/format.h>

namespace lab::labs {
namespace {

// Who sends packets of this kind, and what a student calls one and many of them.
struct KindWords {
  const char* sender;
  const char* one;
  const char* many;
};

KindWords words_for(PacketKind kind) {
  switch (kind) {
    case PacketKind::syn: return {"the client", "SYN", "SYNs"};
    case PacketKind::syn_ack: return {"the server", "SYN-ACK", "SYN-ACKs"};
    case PacketKind::ack: return {"the client", "handshake ACK", "handshake ACKs"};
    case PacketKind::request: return {"the client", "request", "requests"};
    case PacketKind::reply: return {"the server", "reply", "replies"};
    case PacketKind::fin: return {"the two sides", "FIN", "FINs"};
    case PacketKind::other: break;
  }
  return {"the two sides", "packet", "packets"};
}

// As a student writes it: "request:99", and "syn" for the first.
std::string rule_text(const DropRule& rule) {
  if (rule.nth == 1) return packet_kind_name(rule.kind);
  return fmt::format("{}:{}", packet_kind_name(rule.kind), rule.nth);
}

std::string never_matched(const UnmatchedDrop& u) {
  const KindWords w = words_for(u.rule.kind);
  const std::string sent = u.seen == 0 ? fmt::format("{} sent no {}", w.sender, w.one)
                                       : fmt::format("{} sent only {} {}", w.sender, u.seen, u.seen == 1 ? w.one : w.many);
  return fmt::format("--drop {} never matched: {}, so it dropped nothing.\n", rule_text(u.rule), sent);
}

}  // namespace

std::string unmatched_drops_text(const std::vector<UnmatchedDrop>& unmatched) {
  std::string text;
  for (const UnmatchedDrop& u : unmatched) text += never_matched(u);
  return text;
}

std::string unmatched_drops_json(const std::vector<UnmatchedDrop>& unmatched) {
  std::string out = "\"drops_never_matched\":[";
  for (std::size_t i = 0; i < unmatched.size(); ++i) {
    const UnmatchedDrop& u = unmatched[i];
    if (i > 0) out += ',';
    out += fmt::format(R"({{"rule":"{}","kind":"{}","nth":{},"seen":{}}})", rule_text(u.rule),
                       packet_kind_name(u.rule.kind), u.rule.nth, u.seen);
  }
  out += ']';
  return out;
}

}  // namespace lab::labs
