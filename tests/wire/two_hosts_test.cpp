// Live tests of the two hosts and the wire between them: real kernels, real frames, each run in a forked child
// inside its own private namespace (tests/wire/live_exchange.hpp), once as root and once as nobody.
// Test names never start with "--": ctest passes them to the binary, which would take them for options.
#include <algorithm>
#include <string>

#include "capture/decode/checksum.hpp"
#include "capture/decode/packet.hpp"
#include "labs/net/two_hosts.hpp"
#include "tests/support/catch.hpp"
#include "tests/wire/live_exchange.hpp"

using namespace lab::labs;
using lab::decode::DecodedPacket;
using lab::decode::SendTrigger;
using lab::labs::testing::ExchangeOptions;
using lab::labs::testing::ExchangeResult;
using lab::labs::testing::RecordedFrame;
namespace tcp_flag = lab::decode::tcp_flag;

namespace {

constexpr std::int64_t ms = 1'000'000;

DecodedPacket decode(const RecordedFrame& recorded) {
  lab::decode::Frame frame;
  frame.time_ns = recorded.time_ns;
  frame.link_type = lab::decode::link_type::ethernet;
  frame.wire_len = recorded.wire_len;
  frame.bytes = recorded.bytes;
  return lab::decode::decode_packet(frame);
}

bool sent_by_client(const DecodedPacket& packet) { return packet.link.mac_src[5] == 0x01; }

bool is_syn(const DecodedPacket& p) { return p.tcp && p.tcp->has(tcp_flag::syn) && !p.tcp->has(tcp_flag::ack); }
bool is_syn_ack(const DecodedPacket& p) { return p.tcp && p.tcp->has(tcp_flag::syn) && p.tcp->has(tcp_flag::ack); }

// One line per frame, for failure messages: "#2 +0.112 ms server flags=0x12 seq=... len=0 dropped".
std::string describe(const ExchangeResult& result) {
  std::string text;
  for (std::size_t i = 0; i < result.frames.size(); ++i) {
    const RecordedFrame& frame = result.frames[i];
    const DecodedPacket packet = decode(frame);
    text += "\n#" + std::to_string(i + 1) + " +" +
            std::to_string((frame.time_ns - result.frames[0].time_ns) / 1000) + " us " +
            (sent_by_client(packet) ? "client" : "server") + " " + std::to_string(frame.wire_len) + " bytes";
    if (packet.tcp)
      text += " flags=" + std::to_string(packet.tcp->flags) + " seq=" + std::to_string(packet.tcp->seq) +
              " len=" + std::to_string(packet.payload_len);
    if (frame.dropped) text += " DROPPED";
    if (frame.trigger != SendTrigger::unknown) text += std::string(" trigger=") + lab::decode::send_trigger_name(frame.trigger);
  }
  return text;
}

ExchangeResult run(ExchangeOptions options) {
  ExchangeResult result = lab::labs::testing::run_exchange_in_child(options);
  INFO("child: " << result.error);
  REQUIRE(result.error.empty());
  return result;
}

// Every frame is one of the lab's own TCP segments between the two hosts: no ARP, no neighbour discovery, no
// MLD, nothing else; each at most an Ethernet MTU long, whole, with correct checksums (no offload left on).
void check_only_clean_tcp_frames(const ExchangeResult& result, bool ipv6) {
  for (std::size_t i = 0; i < result.frames.size(); ++i) {
    const RecordedFrame& frame = result.frames[i];
    const DecodedPacket packet = decode(frame);
    INFO("frame #" << i + 1 << " of " << result.frames.size() << ", " << frame.wire_len << " bytes");
    CHECK(frame.wire_len <= 1514);
    CHECK(frame.bytes.size() == frame.wire_len);
    CHECK_FALSE(packet.error);
    REQUIRE(packet.tcp);
    CHECK(bool(ipv6 ? bool(packet.ipv6) : bool(packet.ipv4)));
    const MacAddress src = TwoHosts::mac(sent_by_client(packet) ? Host::client : Host::server);
    const MacAddress dst = TwoHosts::mac(sent_by_client(packet) ? Host::server : Host::client);
    CHECK(std::equal(src.begin(), src.end(), packet.link.mac_src));
    CHECK(std::equal(dst.begin(), dst.end(), packet.link.mac_dst));
    CHECK(lab::decode::transport_checksum(packet) == lab::decode::ChecksumStatus::good);
    if (packet.ipv4) {
      const auto header = std::span<const std::uint8_t>(frame.bytes).subspan(14, packet.ipv4->header_len);
      CHECK(lab::decode::ipv4_header_checksum(packet, header) == lab::decode::ChecksumStatus::good);
    }
  }
}

}  // namespace

TEST_CASE("the wire carries a whole echo exchange from one host to the other, and nothing else") {
  ExchangeOptions options;
  options.as_nobody = GENERATE(false, true);
  options.ipv6 = GENERATE(false, true);
  INFO((options.as_nobody ? "as nobody" : "as the test's user") << (options.ipv6 ? ", IPv6" : ", IPv4"));
  const ExchangeResult result = run(options);
  INFO("frames:" << describe(result) << "\nwire: carried " << result.stats.carried << ", dropped "
                 << result.stats.dropped << ", delivered " << result.stats.delivered << ", send failed "
                 << result.stats.send_failed);
  CHECK(result.reply_matches);
  REQUIRE(result.frames.size() >= 7);  // handshake 3, data and echo, teardown
  CHECK(is_syn(decode(result.frames[0])));
  CHECK(is_syn_ack(decode(result.frames[1])));
  CHECK(decode(result.frames[2]).tcp->flags == tcp_flag::ack);
  CHECK(result.stats.dropped == 0);
  CHECK(result.stats.delivered == result.stats.carried);
  CHECK(result.stats.carried == result.frames.size());
  for (const RecordedFrame& frame : result.frames) CHECK_FALSE(frame.dropped);
  check_only_clean_tcp_frames(result, options.ipv6);
}

TEST_CASE("with the offloads off, bulk data crosses as MTU-sized frames with correct checksums") {
  ExchangeOptions options;
  options.ipv6 = GENERATE(false, true);
  options.message_size = 300000;
  const ExchangeResult result = run(options);
  INFO("frames:" << describe(result) << "\nwire: carried " << result.stats.carried << ", dropped "
                 << result.stats.dropped << ", delivered " << result.stats.delivered << ", send failed "
                 << result.stats.send_failed);
  CHECK(result.reply_matches);
  std::uint32_t largest = 0;
  for (const RecordedFrame& frame : result.frames) largest = std::max(largest, frame.wire_len);
  CHECK(largest == 1514);  // 14 Ethernet + 20 IPv4 (40 IPv6) + 32 TCP with timestamps + a full MSS
  check_only_clean_tcp_frames(result, options.ipv6);
}

TEST_CASE("drop syn: the first SYN never arrives and the client's kernel retransmits it about 1 s later") {
  ExchangeOptions options;
  options.as_nobody = GENERATE(false, true);
  options.faults.drops.push_back({PacketKind::syn, 1});
  const ExchangeResult result = run(options);
  INFO("frames:" << describe(result) << "\nwire: carried " << result.stats.carried << ", dropped "
                 << result.stats.dropped << ", delivered " << result.stats.delivered << ", send failed "
                 << result.stats.send_failed);
  CHECK(result.reply_matches);
  REQUIRE(result.frames.size() >= 2);
  const DecodedPacket first = decode(result.frames[0]);
  const DecodedPacket second = decode(result.frames[1]);
  REQUIRE(is_syn(first));
  REQUIRE(is_syn(second));
  CHECK(result.frames[0].dropped);
  CHECK_FALSE(result.frames[1].dropped);
  CHECK(second.tcp->seq == first.tcp->seq);
  const std::int64_t gap = result.frames[1].time_ns - result.frames[0].time_ns;
  WARN("SYN retransmitted after " << gap / 1000 << " us, trigger " << lab::decode::send_trigger_name(result.frames[1].trigger));
  CHECK(gap >= 900 * ms);
  CHECK(gap <= 1500 * ms);
  CHECK(result.frames[0].trigger == SendTrigger::unknown);
  CHECK(result.frames[1].trigger == SendTrigger::timeout);
  CHECK(result.connect_ns >= 900 * ms);
  // Read at the end from the lab's namespace: the client host's own counters, not the lab's.
  CHECK(result.client_counters.syn_retrans == 1);
  CHECK(result.server_counters.syn_retrans == 0);
  CHECK(result.stats.dropped == 1);
  check_only_clean_tcp_frames(result, false);
}

TEST_CASE("drop request: the client's data is lost, its kernel retransmits it, and the echo still arrives") {
  ExchangeOptions options;
  options.as_nobody = GENERATE(false, true);
  options.faults.drops.push_back({PacketKind::request, 1});
  const ExchangeResult result = run(options);
  INFO("frames:" << describe(result) << "\nwire: carried " << result.stats.carried << ", dropped "
                 << result.stats.dropped << ", delivered " << result.stats.delivered << ", send failed "
                 << result.stats.send_failed);
  CHECK(result.reply_matches);
  std::vector<std::size_t> data_frames;  // the client's frames that carry data
  for (std::size_t i = 0; i < result.frames.size(); ++i) {
    const DecodedPacket packet = decode(result.frames[i]);
    if (sent_by_client(packet) && packet.payload_len > 0) data_frames.push_back(i);
  }
  REQUIRE(data_frames.size() >= 2);
  const RecordedFrame& lost = result.frames[data_frames[0]];
  const RecordedFrame& again = result.frames[data_frames[1]];
  CHECK(lost.dropped);
  CHECK_FALSE(again.dropped);
  CHECK(decode(again).tcp->seq == decode(lost).tcp->seq);
  WARN("data retransmitted after " << (again.time_ns - lost.time_ns) / 1000 << " us, trigger "
                                   << lab::decode::send_trigger_name(again.trigger) << "; client counters: timeouts "
                                   << result.client_counters.timeouts << ", loss probes "
                                   << result.client_counters.loss_probes << ", fast retransmits "
                                   << result.client_counters.fast_retrans);
  CHECK((again.trigger == SendTrigger::tail_loss_probe || again.trigger == SendTrigger::timeout));
  check_only_clean_tcp_frames(result, false);
}

TEST_CASE("delay D: every frame waits D on the wire, so the handshake takes at least 2D") {
  ExchangeOptions options;
  options.as_nobody = GENERATE(false, true);
  options.faults.delay_ms = 50;
  const ExchangeResult result = run(options);
  INFO("frames:" << describe(result) << "\nwire: carried " << result.stats.carried << ", dropped "
                 << result.stats.dropped << ", delivered " << result.stats.delivered << ", send failed "
                 << result.stats.send_failed);
  CHECK(result.reply_matches);
  REQUIRE(result.frames.size() >= 3);
  // SYN leaves the client, waits 50 ms, the SYN-ACK leaves the server, waits 50 ms, then the client ACKs.
  CHECK(result.frames[1].time_ns - result.frames[0].time_ns >= 50 * ms);
  CHECK(result.frames[2].time_ns - result.frames[0].time_ns >= 100 * ms);
  CHECK(result.connect_ns >= 100 * ms);
  CHECK(result.connect_ns < 400 * ms);
  CHECK(result.stats.delivered == result.stats.carried);
  check_only_clean_tcp_frames(result, false);
}
