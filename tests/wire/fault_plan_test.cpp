// FaultPlan on crafted decoded packets: classification, N-th counting, seeded loss, and --drop parsing.
#include <algorithm>
#include <string>
#include <vector>

#include "labs/net/fault_plan.hpp"
#include "tests/support/catch.hpp"

using namespace lab::labs;
using lab::decode::DecodedPacket;
namespace tcp_flag = lab::decode::tcp_flag;

namespace {

constexpr Direction to_server = Direction::to_server;
constexpr Direction to_client = Direction::to_client;

// An IPv4 TCP segment: only what FaultPlan looks at (flags, payload length).
DecodedPacket tcp(std::uint8_t flags, std::uint32_t payload_len = 0) {
  DecodedPacket packet;
  packet.ipv4.emplace();
  packet.tcp.emplace();
  packet.tcp->flags = flags;
  packet.payload_len = payload_len;
  return packet;
}

DecodedPacket udp(std::uint32_t payload_len) {
  DecodedPacket packet;
  packet.ipv4.emplace();
  packet.udp.emplace();
  packet.payload_len = payload_len;
  return packet;
}

DecodedPacket arp() { return DecodedPacket{}; }  // no IP layer

const DecodedPacket syn = tcp(tcp_flag::syn);
const DecodedPacket syn_ack = tcp(tcp_flag::syn | tcp_flag::ack);
const DecodedPacket bare_ack = tcp(tcp_flag::ack);
const DecodedPacket data = tcp(tcp_flag::ack | tcp_flag::psh, 6);
const DecodedPacket fin = tcp(tcp_flag::fin | tcp_flag::ack);
const DecodedPacket rst = tcp(tcp_flag::rst | tcp_flag::ack);

FaultOptions drops(std::vector<DropRule> rules) {
  FaultOptions options;
  options.drops = std::move(rules);
  return options;
}

}  // namespace

TEST_CASE("FaultPlan names each packet of an echo exchange") {
  FaultPlan plan(FaultOptions{});
  CHECK(plan.decide(to_server, syn).kind == PacketKind::syn);
  CHECK(plan.decide(to_client, syn_ack).kind == PacketKind::syn_ack);
  CHECK(plan.decide(to_server, bare_ack).kind == PacketKind::ack);
  CHECK(plan.decide(to_server, data).kind == PacketKind::request);
  CHECK(plan.decide(to_client, bare_ack).kind == PacketKind::other);  // the server's ACK of the request
  CHECK(plan.decide(to_client, data).kind == PacketKind::reply);
  CHECK(plan.decide(to_server, bare_ack).kind == PacketKind::other);  // not the handshake's third any more
  CHECK(plan.decide(to_server, fin).kind == PacketKind::fin);
  CHECK(plan.decide(to_client, fin).kind == PacketKind::fin);
  CHECK(plan.decide(to_server, rst).kind == PacketKind::other);
  const Verdict none = plan.decide(to_server, arp());
  CHECK(none.kind == PacketKind::other);
  CHECK(none.nth_of_kind == 0);
  CHECK_FALSE(none.drop);
}

TEST_CASE("FaultPlan: the third packet is the client's first bare ACK after a SYN-ACK, before any data") {
  SECTION("data straight after the SYN-ACK completes the handshake: no ack") {
    FaultPlan plan(FaultOptions{});
    plan.decide(to_server, syn);
    plan.decide(to_client, syn_ack);
    CHECK(plan.decide(to_server, data).kind == PacketKind::request);
    CHECK(plan.decide(to_server, bare_ack).kind == PacketKind::other);
  }
  SECTION("a retransmitted SYN-ACK asks for a third packet again: ack:2") {
    FaultPlan plan(FaultOptions{});
    plan.decide(to_server, syn);
    plan.decide(to_client, syn_ack);
    CHECK(plan.decide(to_server, bare_ack).nth_of_kind == 1);
    plan.decide(to_client, syn_ack);
    const Verdict second = plan.decide(to_server, bare_ack);
    CHECK(second.kind == PacketKind::ack);
    CHECK(second.nth_of_kind == 2);
  }
  SECTION("a server's bare ACK is never the third packet") {
    FaultPlan plan(FaultOptions{});
    plan.decide(to_client, syn_ack);
    CHECK(plan.decide(to_client, bare_ack).kind == PacketKind::other);
  }
}

TEST_CASE("FaultPlan: --drop KIND:N drops the N-th of that kind, retransmissions counted") {
  FaultPlan plan(drops({{PacketKind::syn, 1}, {PacketKind::syn, 2}}));
  const Verdict first = plan.decide(to_server, syn);
  CHECK(first.drop);
  CHECK(first.by_rule);
  CHECK(first.nth_of_kind == 1);
  const Verdict retransmitted = plan.decide(to_server, syn);
  CHECK(retransmitted.drop);
  CHECK(retransmitted.nth_of_kind == 2);
  const Verdict third = plan.decide(to_server, syn);
  CHECK_FALSE(third.drop);
  CHECK(third.nth_of_kind == 3);
}

TEST_CASE("FaultPlan: a --drop rule whose packet never came is reported, with how many of its kind came") {
  FaultPlan plan(drops({{PacketKind::request, 99}, {PacketKind::syn, 1}, {PacketKind::reply, 2}}));
  CHECK(plan.unmatched_drops().size() == 3);  // nothing carried yet
  plan.decide(to_server, syn);
  plan.decide(to_client, syn_ack);
  plan.decide(to_server, data);
  plan.decide(to_client, data);
  const std::vector<UnmatchedDrop> unmatched = plan.unmatched_drops();
  REQUIRE(unmatched.size() == 2);
  CHECK(unmatched[0].rule.kind == PacketKind::request);
  CHECK(unmatched[0].rule.nth == 99);
  CHECK(unmatched[0].seen == 1);
  CHECK(unmatched[1].rule.kind == PacketKind::reply);
  CHECK(unmatched[1].seen == 1);
  plan.decide(to_client, data);  // the second reply: reply:2 has matched now
  CHECK(plan.unmatched_drops().size() == 1);
}

TEST_CASE("FaultPlan: each kind can be dropped, and only the named one") {
  const PacketKind kind = GENERATE(PacketKind::syn, PacketKind::syn_ack, PacketKind::ack, PacketKind::request,
                                   PacketKind::reply, PacketKind::fin);
  INFO("--drop " << packet_kind_name(kind));
  FaultPlan plan(drops({{kind, 1}}));
  const struct {
    Direction direction;
    const DecodedPacket& packet;
  } exchange[] = {{to_server, syn}, {to_client, syn_ack}, {to_server, bare_ack}, {to_server, data},
                  {to_client, bare_ack}, {to_client, data}, {to_server, fin}, {to_client, fin}};
  int dropped = 0;
  for (const auto& step : exchange) {
    const Verdict verdict = plan.decide(step.direction, step.packet);
    CHECK(verdict.drop == (verdict.kind == kind && verdict.nth_of_kind == 1));
    dropped += verdict.drop;
  }
  CHECK(dropped == 1);
}

TEST_CASE("FaultPlan: UDP datagrams are requests from the client and replies from the server") {
  FaultPlan plan(drops({{PacketKind::reply, 2}}));
  CHECK(plan.decide(to_server, udp(6)).kind == PacketKind::request);
  CHECK_FALSE(plan.decide(to_client, udp(6)).drop);
  const Verdict second_reply = plan.decide(to_client, udp(0));  // an empty datagram is still one
  CHECK(second_reply.kind == PacketKind::reply);
  CHECK(second_reply.drop);
}

TEST_CASE("FaultPlan: random loss is the same for the same seed, different for another, 0% and 100% exact") {
  const auto decisions = [](double percent, std::uint64_t seed) {
    FaultOptions options;
    options.loss_percent = percent;
    options.seed = seed;
    FaultPlan plan(options);
    std::vector<bool> dropped;
    for (int i = 0; i < 10000; ++i) dropped.push_back(plan.decide(i % 3 ? to_server : to_client, data).drop);
    return dropped;
  };
  const std::vector<bool> a = decisions(10, 42);
  CHECK(a == decisions(10, 42));
  CHECK(a != decisions(10, 43));
  const auto count = [](const std::vector<bool>& v) { return std::count(v.begin(), v.end(), true); };
  CHECK(count(a) > 850);  // about 1000 of 10,000
  CHECK(count(a) < 1150);
  CHECK(count(decisions(0, 42)) == 0);
  CHECK(count(decisions(100, 42)) == 10000);
}

TEST_CASE("FaultPlan: a loss decision depends on (seed, direction, k), not on the other direction's traffic") {
  FaultOptions options;
  options.loss_percent = 50;
  options.seed = 7;
  FaultPlan alone(options);
  FaultPlan mixed(options);
  for (int k = 0; k < 1000; ++k) {
    mixed.decide(to_client, data);  // the other direction's packets in between change nothing
    CHECK(alone.decide(to_server, data).drop == mixed.decide(to_server, data).drop);
  }
}

TEST_CASE("parse_drop_rule reads KIND[:N] and explains a mistake in one line") {
  std::string error;
  const auto plain = parse_drop_rule("syn", error);
  REQUIRE(plain);
  CHECK(plain->kind == PacketKind::syn);
  CHECK(plain->nth == 1);
  const auto counted = parse_drop_rule("syn-ack:3", error);
  REQUIRE(counted);
  CHECK(counted->kind == PacketKind::syn_ack);
  CHECK(counted->nth == 3);
  for (const char* name : {"ack", "request", "reply", "fin"}) CHECK(parse_drop_rule(name, error));

  for (const char* bad : {"", "synack", "SYN", "data", "syn:", "syn:0", "syn:-1", "syn:x", "syn:2x", "syn:1:2",
                          "syn:99999999999"}) {
    INFO("--drop '" << bad << "'");
    error.clear();
    CHECK_FALSE(parse_drop_rule(bad, error));
    CHECK(error.find("syn, syn-ack, ack") != std::string::npos);
    CHECK(error.find('\n') == std::string::npos);
  }
}
