// IP reassembly on crafted fragments: in order, out of order, a missing piece (timeout), copies, overlaps, lies
// about lengths, eviction when full; and the whole pipeline's JSON for a fragmented UDP datagram.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "capture/decode/packet.hpp"
#include "capture/flow/ip_reassembly.hpp"
#include "capture/render/json_renderer.hpp"
#include "capture/timeline/explainer.hpp"
#include "tests/decode/frames.hpp"
#include "tests/support/catch.hpp"

using lab::decode::DecodedPacket;
using lab::flow::FragmentProblem;
using lab::flow::FragmentReport;
using lab::flow::IpReassembly;
using lab::test::Bytes;
using lab::test::operator+;

namespace {

constexpr std::int64_t second = 1'000'000'000;

// A UDP datagram (header + `data_len` bytes 0, 1, 2, ...) as the bytes IP fragments.
Bytes udp_payload(std::size_t data_len) {
  Bytes data(data_len);
  for (std::size_t i = 0; i < data_len; ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  return lab::test::udp_datagram(data);
}

// One IPv4 fragment on Ethernet: `datagram`'s bytes [offset, offset + len), More Fragments as given.
Bytes ipv4_fragment(const Bytes& datagram, std::size_t offset, std::size_t len, bool more, std::uint16_t id = 0x1c46) {
  const Bytes piece(datagram.begin() + static_cast<std::ptrdiff_t>(offset),
                    datagram.begin() + static_cast<std::ptrdiff_t>(offset + len));
  const auto flags_fragment = static_cast<std::uint16_t>((more ? 0x2000 : 0) | (offset / 8));
  return lab::test::ethernet_header(0x0800) +
         lab::test::ipv4_packet(piece, {.flags_fragment = flags_fragment, .protocol = 17, .identification = id});
}

// Feeds frames to one reassembly, keeping the frames alive (decoded spans point into them).
struct Reassembler {
  IpReassembly reassembly;
  std::vector<Bytes> frames;
  std::uint32_t index = 0;
  DecodedPacket last;

  const FragmentReport& add(Bytes frame, std::int64_t time_ns = 0) {
    frames.push_back(std::move(frame));
    last = lab::decode::decode_packet(lab::test::frame_of(frames.back()));
    return reassembly.add(++index, time_ns, static_cast<std::uint32_t>(frames.back().size()), true, last);
  }
};

std::vector<std::uint32_t> packets_of(const FragmentReport& r) {
  return {r.fragment_packets().begin(), r.fragment_packets().end()};
}

}  // namespace

TEST_CASE("reassembly: three fragments in order make the datagram, decoded whole") {
  const Bytes datagram = udp_payload(3000);  // 3008 bytes: 1480 + 1480 + 48
  Reassembler r;
  const FragmentReport& first = r.add(ipv4_fragment(datagram, 0, 1480, true));
  CHECK(first.is_fragment);
  CHECK(first.index == 1);
  CHECK(first.offset == 0);
  CHECK(first.length == 1480);
  CHECK(first.more);
  CHECK_FALSE(first.completes);
  // The first fragment's UDP header announces the whole datagram: no error.
  REQUIRE(r.last.udp);
  CHECK(r.last.udp->length == 3008);
  CHECK_FALSE(r.last.error);

  CHECK_FALSE(r.add(ipv4_fragment(datagram, 1480, 1480, true)).completes);
  CHECK(r.reassembly.in_progress() == 1);
  const FragmentReport& last = r.add(ipv4_fragment(datagram, 2960, 48, false));
  CHECK(last.index == 3);
  REQUIRE(last.completes);
  CHECK(last.datagram_length == 3008);
  CHECK(packets_of(last) == std::vector<std::uint32_t>{1, 2, 3});
  CHECK(last.wire_bytes == 3 * 34 + 3008);
  const auto whole = r.reassembly.datagram();
  CHECK(Bytes(whole.begin(), whole.end()) == datagram);
  CHECK(r.reassembly.in_progress() == 0);

  const DecodedPacket p = lab::decode::decode_reassembled(r.last, whole);
  CHECK(p.reassembled);
  CHECK_FALSE(p.is_fragment());
  CHECK_FALSE(p.error);
  REQUIRE(p.udp);
  CHECK(p.udp->src_port == 40000);
  CHECK(p.payload_len == 3000);
  CHECK(p.payload.size() == 3000);
}

TEST_CASE("reassembly: out of order, the datagram is whole when the missing middle arrives") {
  const Bytes datagram = udp_payload(3000);
  Reassembler r;
  const FragmentReport& tail = r.add(ipv4_fragment(datagram, 2960, 48, false));
  CHECK(tail.index == 1);
  CHECK_FALSE(tail.completes);
  CHECK_FALSE(r.add(ipv4_fragment(datagram, 0, 1480, true)).completes);
  const FragmentReport& middle = r.add(ipv4_fragment(datagram, 1480, 1480, true));
  REQUIRE(middle.completes);
  CHECK(packets_of(middle) == std::vector<std::uint32_t>{2, 3, 1});  // offset order
  const auto whole = r.reassembly.datagram();
  CHECK(Bytes(whole.begin(), whole.end()) == datagram);
  // The UDP header came with packet 2, not with the completing one: decoded from the whole all the same.
  const DecodedPacket p = lab::decode::decode_reassembled(r.last, whole);
  REQUIRE(p.udp);
  CHECK(p.udp->length == 3008);
}

TEST_CASE("reassembly: a missing fragment, the datagram given up after 30 s of capture time") {
  const Bytes datagram = udp_payload(3000);
  Reassembler r;
  r.add(ipv4_fragment(datagram, 0, 1480, true), 0);
  CHECK_FALSE(r.add(ipv4_fragment(datagram, 2960, 48, false), second).completes);
  // Any later packet ages the datagram; at 30 s it is given up, and said so once.
  CHECK(r.add(lab::test::linux_syn, 29 * second).given_up_count == 0);
  const FragmentReport& late = r.add(lab::test::linux_syn, 30 * second);
  REQUIRE(late.given_up_count == 1);
  const auto& g = late.given_up[0];
  CHECK(g.reason == lab::flow::GiveUpReason::timeout);
  CHECK(g.id == 0x1c46);
  CHECK(g.fragments == 2);
  CHECK(g.first_packet == 1);
  CHECK(g.waited_ns == 30 * second);
  CHECK(r.reassembly.in_progress() == 0);
  CHECK(r.add(lab::test::linux_syn, 31 * second).given_up_count == 0);
  // The missing piece, too late: it starts a new datagram that cannot complete.
  const FragmentReport& middle = r.add(ipv4_fragment(datagram, 1480, 1480, true), 32 * second);
  CHECK(middle.index == 1);
  CHECK_FALSE(middle.completes);
}

TEST_CASE("reassembly: an exact copy is ignored, the datagram still completes") {
  const Bytes datagram = udp_payload(3000);
  Reassembler r;
  r.add(ipv4_fragment(datagram, 0, 1480, true));
  const FragmentReport& copy = r.add(ipv4_fragment(datagram, 0, 1480, true));
  CHECK(copy.problem == FragmentProblem::duplicate);
  CHECK(copy.problem_with == 1);
  CHECK_FALSE(copy.discards);
  r.add(ipv4_fragment(datagram, 1480, 1480, true));
  const FragmentReport& last = r.add(ipv4_fragment(datagram, 2960, 48, false));
  REQUIRE(last.completes);
  CHECK(packets_of(last) == std::vector<std::uint32_t>{1, 3, 4});
}

TEST_CASE("reassembly: overlapping fragments discard the datagram (RFC 5722)") {
  const Bytes datagram = udp_payload(3000);
  Reassembler r;
  r.add(ipv4_fragment(datagram, 0, 1480, true));
  const FragmentReport& overlap = r.add(ipv4_fragment(datagram, 1472, 1480, true));  // 1472..2951 overlaps 0..1479
  CHECK(overlap.problem == FragmentProblem::overlap);
  CHECK(overlap.problem_with == 1);
  CHECK(overlap.discards);
  CHECK(overlap.discarded_fragments == 2);
  CHECK(r.reassembly.in_progress() == 0);
  // The rest of it is absorbed, never completes, and is not reported again when its slot goes.
  const FragmentReport& rest = r.add(ipv4_fragment(datagram, 2960, 48, false));
  CHECK(rest.problem == FragmentProblem::discarded);
  CHECK(rest.problem_with == 2);
  CHECK_FALSE(rest.completes);
  CHECK(r.add(lab::test::linux_syn, 40 * second).given_up_count == 0);
}

TEST_CASE("reassembly: fragments that lie about the datagram's size") {
  const Bytes big = udp_payload(65'600);  // more than IP can carry
  SECTION("the end would pass 65,535 bytes") {
    Reassembler r;
    const FragmentReport& f = r.add(ipv4_fragment(big, 65'520, 80, false));
    CHECK(f.problem == FragmentProblem::too_large);
    CHECK(f.discards);
  }
  SECTION("More Fragments set on a length that is not a multiple of 8") {
    Reassembler r;
    CHECK(r.add(ipv4_fragment(big, 0, 13, true)).problem == FragmentProblem::uneven);
  }
  SECTION("a second last fragment with another end") {
    Reassembler r;
    r.add(ipv4_fragment(big, 1480, 100, false));
    CHECK(r.add(ipv4_fragment(big, 1480, 200, false)).problem == FragmentProblem::inconsistent);
  }
  SECTION("a fragment past the end the last one set") {
    Reassembler r;
    r.add(ipv4_fragment(big, 1480, 100, false));
    CHECK(r.add(ipv4_fragment(big, 1600, 80, true)).problem == FragmentProblem::inconsistent);
  }
  SECTION("a fragment the capture cut short") {
    Reassembler r;
    const Bytes frame = ipv4_fragment(big, 0, 1480, true);
    r.frames.push_back(Bytes(frame.begin(), frame.begin() + 100));
    const DecodedPacket p = lab::decode::decode_packet(lab::test::frame_of(r.frames.back()));
    CHECK(r.reassembly.add(1, 0, static_cast<std::uint32_t>(frame.size()), true, p).problem ==
          FragmentProblem::not_captured);
  }
  SECTION("a UDP length longer than the reassembled datagram: malformed, said of the whole") {
    Bytes datagram = udp_payload(3000);
    datagram[5] = static_cast<std::uint8_t>(datagram[5] + 8);  // UDP length 3016
    Reassembler r;
    r.add(ipv4_fragment(datagram, 0, 1480, true));
    CHECK_FALSE(r.last.error);  // in the first fragment alone it cannot be told
    r.add(ipv4_fragment(datagram, 1480, 1480, true));
    REQUIRE(r.add(ipv4_fragment(datagram, 2960, 48, false)).completes);
    const DecodedPacket p = lab::decode::decode_reassembled(r.last, r.reassembly.datagram());
    REQUIRE(p.error);
    CHECK(p.error->layer == lab::decode::Layer::udp);
  }
}

TEST_CASE("reassembly: more fragments than it keeps for one datagram") {
  const Bytes datagram = udp_payload(8 * 200);
  Reassembler r;
  for (std::size_t i = 0; i < lab::flow::max_fragments_per_datagram; ++i)
    CHECK(r.add(ipv4_fragment(datagram, i * 8, 8, true)).problem == FragmentProblem::none);
  CHECK(r.add(ipv4_fragment(datagram, lab::flow::max_fragments_per_datagram * 8, 8, true)).problem ==
        FragmentProblem::too_many);
}

TEST_CASE("reassembly: full, it evicts the oldest datagram and says so; memory stays bounded") {
  const Bytes datagram = udp_payload(3000);
  Reassembler r;
  for (std::uint16_t id = 1; id <= lab::flow::max_datagrams_in_progress; ++id)
    CHECK(r.add(ipv4_fragment(datagram, 0, 1480, true, id), id).given_up_count == 0);
  CHECK(r.reassembly.in_progress() == lab::flow::max_datagrams_in_progress);
  const FragmentReport& next = r.add(ipv4_fragment(datagram, 0, 1480, true, 100), 100);
  REQUIRE(next.given_up_count == 1);
  CHECK(next.given_up[0].reason == lab::flow::GiveUpReason::evicted);
  CHECK(next.given_up[0].id == 1);
  CHECK(next.given_up[0].first_packet == 1);
  // A flood of first fragments that never complete: still at most max_datagrams_in_progress held.
  for (std::uint16_t id = 200; id < 1200; ++id) r.add(ipv4_fragment(datagram, 0, 1480, true, id), 200);
  CHECK(r.reassembly.in_progress() == lab::flow::max_datagrams_in_progress);
  // The evicted datagram's last pieces start afresh and never complete.
  CHECK_FALSE(r.add(ipv4_fragment(datagram, 1480, 1480, true, 1), 201).completes);
}

TEST_CASE("reassembly: IPv6 Fragment headers") {
  const Bytes datagram = udp_payload(1500);  // 1508 bytes: 1232 + 276
  auto fragment = [&](std::size_t offset, std::size_t len, bool more) {
    Bytes header = {17, 0};  // next header UDP, reserved
    lab::test::put16(header, static_cast<std::uint16_t>((offset / 8) << 3 | (more ? 1 : 0)));  // offset, M
    lab::test::put32(header, 0xdeadbeef);                                                    // identification
    const Bytes piece(datagram.begin() + static_cast<std::ptrdiff_t>(offset),
                      datagram.begin() + static_cast<std::ptrdiff_t>(offset + len));
    return lab::test::ethernet_header(0x86dd) + lab::test::ipv6_packet(44, header + piece);
  };
  Reassembler r;
  const FragmentReport& first = r.add(fragment(0, 1232, true));
  CHECK(first.v6);
  CHECK(first.id == 0xdeadbeef);
  CHECK(first.length == 1232);
  REQUIRE(r.last.udp);
  CHECK_FALSE(r.last.error);
  const FragmentReport& last = r.add(fragment(1232, 276, false));
  REQUIRE(last.completes);
  CHECK(last.datagram_length == 1508);
  const DecodedPacket p = lab::decode::decode_reassembled(r.last, r.reassembly.datagram());
  REQUIRE(p.udp);
  CHECK(p.payload_len == 1500);
  CHECK_FALSE(p.error);
}

TEST_CASE("explained: each fragment gets its facts, the completing one the datagram, counted once") {
  const Bytes datagram = udp_payload(3000);
  // Out of order: the last piece first.
  const std::vector<Bytes> frames = {ipv4_fragment(datagram, 2960, 48, false), ipv4_fragment(datagram, 0, 1480, true),
                                     ipv4_fragment(datagram, 1480, 1480, true)};
  lab::render::JsonRenderer renderer;
  std::string out;
  lab::timeline::Explainer explainer(renderer, {}, [&](std::string_view text) { out += text; });
  std::int64_t t = second;
  for (const Bytes& f : frames) {
    lab::decode::Frame frame = lab::test::frame_of(f);
    frame.time_ns = t += 1000;
    explainer.packet(frame);
  }
  explainer.finish();
  std::vector<nlohmann::json> lines;
  for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(nlohmann::json::parse(out.substr(start, end - start)));
  REQUIRE(lines.size() == 4);
  const std::vector<int> offsets = {2960, 0, 1480};
  for (int i = 0; i < 3; ++i) {
    const auto& p = lines[static_cast<std::size_t>(i)];
    CAPTURE(p.dump());
    CHECK(p["fragment"]["id"] == 0x1c46);
    CHECK(p["fragment"]["offset"] == offsets[static_cast<std::size_t>(i)]);
    CHECK(p["fragment"]["index"] == i + 1);
    CHECK(p["fragment"]["more"] == (i != 0));
    CHECK(p["fragment"]["problem"].is_null());
    CHECK(p["note"].get<std::string>().find("Malformed") == std::string::npos);
    CHECK_FALSE(p.contains("error"));
  }
  CHECK(lines[0]["note"].get<std::string>().find("header travels in the first fragment") != std::string::npos);
  CHECK(lines[1]["note"].get<std::string>().find("carries the UDP header") != std::string::npos);
  CHECK(lines[1]["stream"].is_null());  // not the conversation's until whole
  CHECK_FALSE(lines[1].contains("reassembled"));
  const auto& whole = lines[2];
  CHECK(whole["proto"] == "udp");
  CHECK(whole["stream"] == 0);
  CHECK(whole["len"] == 3000);
  CHECK(whole["udp_length"] == 3008);
  CHECK(whole["reassembled"]["fragments"] == nlohmann::json::array({2, 3, 1}));
  CHECK(whole["reassembled"]["length"] == 3008);
  CHECK(whole["note"].get<std::string>().find("A UDP datagram from the client") != std::string::npos);
  const auto& conversation = lines[3]["conversations"][0];
  CHECK(conversation["packets"] == 1);
  CHECK(conversation["payload_bytes"] == 3000);
  CHECK(conversation["wire_bytes"] == 3 * 34 + 3008);
}
