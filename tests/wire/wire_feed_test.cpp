// The holder's messages to lab net watch and from lab net set: what is encoded reads back field for field, and
// bytes that are not such a message (cut short, too long, an unknown kind) are refused, never misread.
#include <vector>

#include "labs/net/wire_feed.hpp"
#include "tests/support/catch.hpp"

using namespace lab::labs;
using lab::decode::KernelTcpState;

namespace {

lab::decode::Frame sample_frame(const std::vector<std::uint8_t>& bytes) {
  lab::decode::Frame f;
  f.time_ns = 1'764'800'000'123'456'789;
  f.link_type = lab::decode::link_type::ethernet;
  f.wire_len = static_cast<std::uint32_t>(bytes.size() + 10);  // captured fewer than were sent
  f.bytes = bytes;
  f.wire.dropped = true;
  f.wire.trigger = lab::decode::SendTrigger::tail_loss_probe;
  f.wire.delivered_ns = 0;
  f.wire.id = 0x1'0000'0002;
  f.wire.kernel.client = KernelTcpState::fin_wait1;
  f.wire.kernel.server = KernelTcpState::close_wait;
  f.wire.kernel.client_figures = {true, 236, 118, 201000, 10, 3};
  return f;
}

}  // namespace

TEST_CASE("wire feed: a frame reads back as it was, its bytes included") {
  const std::vector<std::uint8_t> bytes{0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00, 0x45};
  const auto f = sample_frame(bytes);
  std::vector<std::uint8_t> message;
  encode_feed_frame(f, 7, message);
  const auto m = decode_feed_message(message);
  REQUIRE(m);
  CHECK(m->kind == FeedKind::frame);
  CHECK(m->missed_before == 7);
  CHECK(m->frame.time_ns == f.time_ns);
  CHECK(m->frame.link_type == f.link_type);
  CHECK(m->frame.wire_len == f.wire_len);
  CHECK(std::vector<std::uint8_t>(m->frame.bytes.begin(), m->frame.bytes.end()) == bytes);
  CHECK(m->frame.wire.dropped);
  CHECK(m->frame.wire.trigger == lab::decode::SendTrigger::tail_loss_probe);
  CHECK(m->frame.wire.id == f.wire.id);
  CHECK(m->frame.wire.kernel.client == KernelTcpState::fin_wait1);
  CHECK(m->frame.wire.kernel.server == KernelTcpState::close_wait);
  CHECK(m->frame.wire.kernel.client_figures.known);
  CHECK(m->frame.wire.kernel.client_figures.rto_us == 201000);
  CHECK(m->frame.wire.kernel.client_figures.total_retrans == 3);
  CHECK_FALSE(m->frame.wire.kernel.server_figures.known);
}

TEST_CASE("wire feed: a delivery reads back as it was") {
  lab::decode::KernelView view;
  view.server = KernelTcpState::established;
  view.server_figures = {true, 30000, 15000, 230000, 10, 0};
  std::vector<std::uint8_t> message;
  encode_feed_delivered(42, 1'764'800'000'000'000'001, view, 0, message);
  const auto m = decode_feed_message(message);
  REQUIRE(m);
  CHECK(m->kind == FeedKind::delivered);
  CHECK(m->wire_id == 42);
  CHECK(m->delivered_ns == 1'764'800'000'000'000'001);
  CHECK(m->kernel.client == KernelTcpState::not_read);
  CHECK(m->kernel.server == KernelTcpState::established);
  CHECK(m->kernel.server_figures.rtt_us == 30000);
}

TEST_CASE("wire feed: every cut of a message, and anything added to it, is refused") {
  const std::vector<std::uint8_t> bytes(60, 0xAB);
  std::vector<std::uint8_t> message;
  encode_feed_frame(sample_frame(bytes), 0, message);
  for (std::size_t length = 0; length < message.size(); ++length)
    CHECK_FALSE(decode_feed_message(std::span<const std::uint8_t>(message.data(), length)));
  message.push_back(0);
  CHECK_FALSE(decode_feed_message(message));
  message.pop_back();
  message[0] = 'X';
  CHECK_FALSE(decode_feed_message(message));
}

TEST_CASE("wire feed: a frame claiming more captured bytes than its length is refused") {
  const std::vector<std::uint8_t> bytes(20, 1);
  auto f = sample_frame(bytes);
  f.wire_len = 10;
  std::vector<std::uint8_t> message;
  encode_feed_frame(f, 0, message);
  CHECK_FALSE(decode_feed_message(message));
}

TEST_CASE("wire feed: a state number the kernel does not have reads as not read") {
  std::vector<std::uint8_t> message;
  lab::decode::KernelView view;
  view.client = KernelTcpState::closing;
  encode_feed_delivered(1, 2, view, 0, message);
  const std::size_t client_state_at = 1 + 4 + 8 + 8;  // kind, missed, id, time
  message[client_state_at] = 200;
  const auto m = decode_feed_message(message);
  REQUIRE(m);
  CHECK(m->kernel.client == KernelTcpState::not_read);
}

TEST_CASE("fault request: the faults and their text read back; a malformed request is refused") {
  FaultRequest request;
  request.faults.drops = {{PacketKind::syn_ack, 2}, {PacketKind::reply, 1}};
  request.faults.loss_percent = 5.5;
  request.faults.seed = 99;
  request.faults.delay_ms = 50;
  request.text = "--drop syn-ack:2 --drop reply --loss 5.5 --seed 99 --delay 50";
  const auto bytes = encode_fault_request(request);
  REQUIRE(bytes.at(0) == 'S');
  const auto back = decode_fault_request(std::span<const std::uint8_t>(bytes).subspan(1));
  REQUIRE(back);
  REQUIRE(back->faults.drops.size() == 2);
  CHECK(back->faults.drops[0].kind == PacketKind::syn_ack);
  CHECK(back->faults.drops[0].nth == 2);
  CHECK(back->faults.drops[1].kind == PacketKind::reply);
  CHECK(back->faults.loss_percent == Approx(5.5));
  CHECK(back->faults.seed == 99);
  CHECK(back->faults.delay_ms == 50);
  CHECK(back->text == request.text);
  for (std::size_t length = 1; length < bytes.size(); ++length)
    CHECK_FALSE(decode_fault_request(std::span<const std::uint8_t>(bytes).subspan(1, length - 1)));
  auto no_kind = bytes;
  no_kind[1 + 4] = static_cast<std::uint8_t>(PacketKind::other);  // "other" is never named by --drop
  CHECK_FALSE(decode_fault_request(std::span<const std::uint8_t>(no_kind).subspan(1)));
}
