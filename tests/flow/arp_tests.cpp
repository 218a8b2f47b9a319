// ARP across packets: the ARP tracker's conclusions (which request a reply answers, a question asked again, the
// IPv4 frame sent to the MAC a reply gave, the requests no reply followed), checked as JSON fields; and the text
// lines, which must fit the width.
#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <vector>

#include "capture/flow/arp_tracker.hpp"
#include "capture/render/json_renderer.hpp"
#include "capture/render/text_renderer.hpp"
#include "capture/annotate/annotator.hpp"
#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/json_lines.hpp"

using namespace lab::test;
using lab::decode::DecodedPacket;
using lab::decode::IpAddress;
using lab::decode::MacAddress;
using nlohmann::json;

namespace {

MacAddress mac(std::uint8_t last) { return MacAddress{{0x02, 0, 0, 0, 0, last}}; }
const MacAddress broadcast{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
const MacAddress zero{};

IpAddress ip(std::uint8_t last) {
  const std::array<std::uint8_t, 4> b{10, 0, 0, last};
  return IpAddress::v4(b);
}

// A decoded Ethernet frame carrying ARP, as decode_packet makes it.
DecodedPacket arp(MacAddress eth_src, MacAddress eth_dst, std::uint16_t op, MacAddress sender_mac, IpAddress sender_ip,
                  MacAddress target_mac, IpAddress target_ip) {
  DecodedPacket p;
  p.link.kind = lab::decode::LinkKind::ethernet;
  p.link.protocol = lab::decode::ethertype::arp;
  p.link.has_macs = true;
  for (int i = 0; i < 6; ++i) {
    p.link.mac_src[i] = eth_src.bytes[i];
    p.link.mac_dst[i] = eth_dst.bytes[i];
  }
  lab::decode::ArpHeader h;
  h.hardware_type = 1;
  h.protocol_type = 0x0800;
  h.hardware_len = 6;
  h.protocol_len = 4;
  h.op = op;
  h.addresses_read = true;
  h.sender_mac = sender_mac;
  h.sender_ip = sender_ip;
  h.target_mac = target_mac;
  h.target_ip = target_ip;
  p.arp = h;
  return p;
}

DecodedPacket request(std::uint8_t asker, std::uint8_t asked) {
  return arp(mac(asker), broadcast, 1, mac(asker), ip(asker), zero, ip(asked));
}
DecodedPacket reply(std::uint8_t answerer, std::uint8_t asker) {
  return arp(mac(answerer), mac(asker), 2, mac(answerer), ip(answerer), mac(asker), ip(asker));
}

// A TCP SYN from host `from` to host `to`, in an Ethernet frame with the given MACs.
DecodedPacket syn(std::uint8_t from, std::uint8_t to, MacAddress eth_src, MacAddress eth_dst) {
  DecodedPacket p = tcp({ip(from), 40000}, {ip(to), 80}, 1000, 0, SYN);
  p.link.has_macs = true;
  for (int i = 0; i < 6; ++i) {
    p.link.mac_src[i] = eth_src.bytes[i];
    p.link.mac_dst[i] = eth_dst.bytes[i];
  }
  return p;
}

// Every packet through the steps `lab annotate` takes (tracker, annotator with what it explained already, renderer),
// then the summary with the tracker's ARP; the output.
std::string explain(lab::render::Renderer& renderer, const std::vector<DecodedPacket>& packets) {
  std::string out;
  Feed feed;
  lab::annotate::Explained explained;
  std::string note;
  for (const auto& p : packets) {
    const auto o = feed(p);
    lab::decode::Frame frame;
    frame.time_ns = feed.now();
    frame.wire_len = 60;
    lab::annotate::annotate_packet({feed.index, frame, p, o, &explained}, {}, note);
    renderer.packet({feed.index, feed.now() - 1'000'000'000, frame, p, o, note}, out);
  }
  renderer.summary({feed.tracker.conversations(), feed.index, 0, 0, {}, {}, &feed.tracker.arp()}, out);
  return out;
}

using lab::test::json_lines;

std::vector<json> json_of(const std::vector<DecodedPacket>& packets) {
  lab::render::JsonRenderer renderer;
  return json_lines(explain(renderer, packets));
}

}  // namespace

TEST_CASE("ARP JSON: a request, its reply, and the SYN sent to the MAC the reply gave") {
  const auto lines = json_of({request(1, 2), reply(2, 1), syn(1, 2, mac(1), mac(2))});
  REQUIRE(lines.size() == 4);
  const json& q = lines[0];
  CHECK(q["proto"] == "arp");
  CHECK(q["op"] == "request");
  CHECK(q["src_mac"] == "02:00:00:00:00:01");
  CHECK(q["dst_mac"] == "ff:ff:ff:ff:ff:ff");
  CHECK(q["sender_mac"] == "02:00:00:00:00:01");
  CHECK(q["sender_ip"] == "10.0.0.1");
  CHECK(q["target_mac"] == "00:00:00:00:00:00");
  CHECK(q["target_ip"] == "10.0.0.2");
  CHECK(q["hw_type"] == 1);
  CHECK(q["proto_type"] == 0x0800);
  CHECK(q["hw_size"] == 6);
  CHECK(q["proto_size"] == 4);
  CHECK(q["gratuitous"] == false);
  CHECK(q["probe"] == false);
  CHECK(q["announcement"] == false);
  CHECK(q["answers"].is_null());
  CHECK(q["repeats"].is_null());
  CHECK(q["stream"].is_null());
  const json& r = lines[1];
  CHECK(r["op"] == "reply");
  CHECK(r["answers"] == 1);
  CHECK(r["sender_ip"] == "10.0.0.2");
  CHECK(r["sender_mac"] == "02:00:00:00:00:02");
  CHECK(r["dst_mac"] == "02:00:00:00:00:01");
  // The note names the request it answers, the fact `answers` holds.
  CHECK(r["note"].get<std::string>().find("packet #1") != std::string::npos);
  const json& s = lines[2];
  CHECK(s["proto"] == "tcp");
  CHECK(s["dst_mac"] == "02:00:00:00:00:02");
  CHECK(s["dst_mac_from_arp"] == 2);
  CHECK(s["note"].get<std::string>().find("Handshake 1/3") == 0);  // the ARP sentence comes after TCP's
  CHECK(s["note"].get<std::string>().find("#2") != std::string::npos);
  const json& summary = lines[3];
  CHECK(summary["arp"]["packets"] == 2);
  CHECK(summary["arp"]["requests"] == 1);
  CHECK(summary["arp"]["replies"] == 1);
  CHECK(summary["arp"]["unanswered"] == json::array());
  CHECK(summary["arp"]["forgotten"] == 0);
}

TEST_CASE("ARP: the IPv4 frame's MACs are checked against the reply, not assumed") {
  SECTION("sent to another MAC than the reply gave: no claim") {
    const auto lines = json_of({request(1, 2), reply(2, 1), syn(1, 2, mac(1), mac(9))});
    CHECK(lines[2]["dst_mac_from_arp"].is_null());
  }
  SECTION("sent from another MAC than the asker's: no claim") {
    const auto lines = json_of({request(1, 2), reply(2, 1), syn(1, 2, mac(7), mac(2))});
    CHECK(lines[2]["dst_mac_from_arp"].is_null());
  }
  SECTION("only the first frame after the reply says it") {
    const auto lines = json_of({request(1, 2), reply(2, 1), syn(1, 2, mac(1), mac(2)), syn(1, 2, mac(1), mac(2))});
    CHECK(lines[2]["dst_mac_from_arp"] == 2);
    CHECK(lines[3]["dst_mac_from_arp"].is_null());
  }
  SECTION("the other direction is not the asker's") {
    const auto lines = json_of({request(1, 2), reply(2, 1), syn(2, 1, mac(2), mac(1))});
    CHECK(lines[2]["dst_mac_from_arp"].is_null());
  }
  SECTION("a reply without its request: the frame still matches the reply") {
    const auto lines = json_of({reply(2, 1), syn(1, 2, mac(1), mac(2))});
    CHECK(lines[0]["answers"].is_null());
    CHECK(lines[1]["dst_mac_from_arp"] == 1);
  }
}

TEST_CASE("ARP: a question asked again, and the requests no reply followed, listed at the end") {
  const auto lines = json_of({request(1, 9), request(1, 9), request(1, 2), reply(2, 1), request(1, 9)});
  CHECK(lines[0]["repeats"].is_null());
  CHECK(lines[1]["repeats"] == 1);
  CHECK(lines[2]["repeats"].is_null());  // another question
  CHECK(lines[3]["answers"] == 3);
  CHECK(lines[4]["repeats"] == 2);
  const json& summary = lines.back();
  CHECK(summary["arp"]["requests"] == 4);
  REQUIRE(summary["arp"]["unanswered"].size() == 3);
  CHECK(summary["arp"]["unanswered"][0] ==
        json{{"packet", 1}, {"sender_ip", "10.0.0.1"}, {"sender_mac", "02:00:00:00:00:01"}, {"target_ip", "10.0.0.9"}});
  CHECK(summary["arp"]["unanswered"][2]["packet"] == 5);
}

TEST_CASE("ARP: a reply answers every waiting copy of its question, the latest as `answers`") {
  const auto lines = json_of({request(1, 2), request(1, 2), reply(2, 1)});
  CHECK(lines[2]["answers"] == 2);
  CHECK(lines.back()["arp"]["unanswered"] == json::array());
}

TEST_CASE("ARP: a second reply to a question already answered answers it too, and points to the first") {
  const auto lines = json_of({request(1, 2), reply(2, 1), reply(2, 1), syn(1, 2, mac(1), mac(2))});
  CHECK(lines[1]["answers"] == 1);
  CHECK(lines[1]["repeats"].is_null());
  CHECK(lines[2]["answers"] == 1);
  CHECK(lines[2]["repeats"] == 2);
  CHECK(lines[2]["note"].get<std::string>().find("#2") != std::string::npos);
  CHECK(lines[3]["dst_mac_from_arp"] == 3);  // the latest reply gave the MAC
}

TEST_CASE("ARP: a reply to another asker, or on another VLAN, answers nothing") {
  DecodedPacket tagged = reply(2, 1);
  tagged.link.vlan_count = 1;
  tagged.link.vlan_ids[0] = 10;
  const auto lines = json_of({request(1, 2), reply(2, 3), tagged});
  CHECK(lines[1]["answers"].is_null());
  CHECK(lines[2]["answers"].is_null());
  CHECK(lines.back()["arp"]["unanswered"].size() == 1);
}

TEST_CASE("ARP probe, announcement, gratuitous reply: named, and never counted as unanswered questions") {
  const DecodedPacket probe = arp(mac(5), broadcast, 1, mac(5), IpAddress::v4(std::array<std::uint8_t, 4>{0, 0, 0, 0}),
                                  zero, ip(50));
  const DecodedPacket announcement = arp(mac(5), broadcast, 1, mac(5), ip(50), zero, ip(50));
  const DecodedPacket gratuitous_reply = arp(mac(6), broadcast, 2, mac(6), ip(60), broadcast, ip(60));
  const auto lines = json_of({probe, probe, announcement, gratuitous_reply});
  CHECK(lines[0]["probe"] == true);
  CHECK(lines[0]["gratuitous"] == false);
  CHECK(lines[1]["repeats"] == 1);
  CHECK(lines[2]["gratuitous"] == true);
  CHECK(lines[2]["announcement"] == true);
  CHECK(lines[3]["gratuitous"] == true);
  CHECK(lines[3]["announcement"] == false);
  CHECK(lines[3]["answers"].is_null());
  const json& a = lines.back()["arp"];
  CHECK(a["probes"] == 2);
  CHECK(a["gratuitous"] == 2);
  CHECK(a["requests"] == 0);
  CHECK(a["unanswered"] == json::array());
}

TEST_CASE("ARP: a reply to a probe says the address is taken") {
  const IpAddress none = IpAddress::v4(std::array<std::uint8_t, 4>{0, 0, 0, 0});
  const DecodedPacket probe = arp(mac(5), broadcast, 1, mac(5), none, zero, ip(50));
  // Linux answers a probe from the probed address, to the prober's MAC, with target IP 0.0.0.0 (net/ipv4/arp.c).
  const DecodedPacket defence = arp(mac(7), mac(5), 2, mac(7), ip(50), mac(5), none);
  lab::render::JsonRenderer renderer;
  const auto lines = json_lines(explain(renderer, {probe, defence}));
  CHECK(lines[1]["answers"] == 1);
  CHECK(lines[1]["note"].get<std::string>().find("probe") != std::string::npos);
}

TEST_CASE("ARP in bounded memory: the oldest unanswered requests are let go and counted") {
  std::vector<DecodedPacket> packets;
  const std::size_t n = lab::flow::ArpTracker::remembered_requests + 5;
  for (std::size_t i = 0; i < n; ++i) packets.push_back(request(1, static_cast<std::uint8_t>(100 + i % 100)));
  const auto lines = json_of(packets);
  const json& a = lines.back()["arp"];
  CHECK(a["requests"] == n);
  CHECK(a["forgotten"] == 5);
  CHECK(a["unanswered"].size() == lab::flow::ArpTracker::remembered_requests);
  CHECK(a["unanswered"][0]["packet"] == 6);
}

TEST_CASE("ARP of another kind, cut short, or an unknown operation: its fields, nulls where it has none") {
  DecodedPacket other = request(1, 2);
  other.arp->hardware_type = 6;
  other.arp->addresses_read = false;
  DecodedPacket cut = request(1, 2);
  cut.arp.reset();
  DecodedPacket inarp = reply(2, 1);
  inarp.arp->op = 8;
  const auto lines = json_of({other, cut, inarp});
  CHECK(lines[0]["hw_type"] == 6);
  CHECK(lines[0]["op"] == "request");
  CHECK(lines[0]["sender_ip"].is_null());
  CHECK(lines[0]["target_mac"].is_null());
  CHECK(lines[1]["proto"] == "arp");
  CHECK(lines[1]["op"].is_null());
  CHECK(lines[1]["hw_type"].is_null());
  CHECK(lines[2]["op"] == 8);
  CHECK(lines[2]["sender_ip"] == "10.0.0.2");
  CHECK(lines[2]["answers"].is_null());
  CHECK(lines.back()["arp"]["other"] == 3);
}

TEST_CASE("MACs on every packet: null where the link layer has none") {
  DecodedPacket cooked = request(1, 2);
  cooked.link.kind = lab::decode::LinkKind::linux_sll;
  cooked.link.has_macs = false;
  DecodedPacket plain = tcp(client_ep, server_ep, 1000, 0, SYN);  // has_macs false, as loopback NULL or raw IP
  const auto lines = json_of({cooked, plain});
  CHECK(lines[0]["src_mac"].is_null());
  CHECK(lines[0]["dst_mac"].is_null());
  CHECK(lines[0]["sender_mac"] == "02:00:00:00:00:01");  // ARP's own fields still say it
  CHECK(lines[1]["src_mac"].is_null());
  CHECK(lines[1]["dst_mac"].is_null());
  CHECK(lines[1]["dst_mac_from_arp"].is_null());
}

TEST_CASE("ARP text: the packet line and the summary fit the width, and a question never answered is said so") {
  for (const int width : {60, 80, 100}) {
    lab::render::TextRenderer text({true, false, false, width});
    const std::string out = explain(text, {request(1, 2), reply(2, 1), syn(1, 2, mac(1), mac(2)), request(1, 9)});
    INFO(out);
    std::size_t start = 0;
    while (start < out.size()) {
      const std::size_t end = out.find('\n', start);
      int cols = 0;
      for (std::size_t i = start; i < end; ++i) cols += (static_cast<unsigned char>(out[i]) & 0xC0) != 0x80;
      CHECK(cols <= width);
      start = end + 1;
    }
    CHECK(out.find("02:00:00:00:00:01 → ff:ff:ff:ff:ff:ff") != std::string::npos);
    CHECK(out.find("who has 10.0.0.2?") != std::string::npos);
    CHECK(out.find("10.0.0.2 is at 02:00:00:00:00:02") != std::string::npos);
    CHECK(out.find("(#4)") != std::string::npos);  // the unanswered request, named at the end
    CHECK(out.find('\x1b') == std::string::npos);
  }
}
