#include "capture/flow/tracker.hpp"

#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"

using namespace lab::test;
using lab::flow::Phase;
using lab::flow::Role;
using lab::flow::TcpState;

namespace {

constexpr std::uint32_t C = 1000;  // the client's ISN
constexpr std::uint32_t S = 5000;  // the server's ISN

TcpState client_state(const lab::flow::Observation& o) { return o.tcp.after[0]; }
TcpState server_state(const lab::flow::Observation& o) { return o.tcp.after[1]; }

// SYN, SYN-ACK, ACK between client_ep and server_ep.
void handshake(Feed& feed) {
  feed(tcp(client_ep, server_ep, C, 0, SYN));
  feed(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  feed(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
}

}  // namespace

TEST_CASE("three-way handshake: roles, relative numbers, states, phase") {
  Feed feed;
  const auto syn = feed(tcp(client_ep, server_ep, C, 0, SYN));
  REQUIRE(syn.conversation != nullptr);
  CHECK(syn.from == Role::client);
  CHECK(syn.first_of_conversation);
  CHECK(syn.tcp.handshake_step == 1);
  CHECK(syn.tcp.rel_seq == 0);
  CHECK(syn.tcp.seq_len == 1);
  CHECK(syn.tcp.rel_next_seq == 1);
  CHECK(syn.phase == Phase::handshake);
  CHECK(client_state(syn) == TcpState::syn_sent);
  CHECK(server_state(syn) == TcpState::syn_received);

  const auto syn_ack = feed(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  CHECK(syn_ack.from == Role::server);
  CHECK(syn_ack.tcp.handshake_step == 2);
  CHECK(syn_ack.tcp.rel_seq == 0);
  CHECK(syn_ack.tcp.rel_ack == 1);
  CHECK(syn_ack.tcp.acks_syn);
  CHECK(client_state(syn_ack) == TcpState::established);
  CHECK(server_state(syn_ack) == TcpState::syn_received);

  const auto ack = feed(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
  CHECK(ack.tcp.handshake_step == 3);
  CHECK(ack.tcp.rel_seq == 1);
  CHECK(ack.tcp.rel_ack == 1);
  CHECK(ack.phase == Phase::handshake);
  CHECK(client_state(ack) == TcpState::established);
  CHECK(server_state(ack) == TcpState::established);
  CHECK(ack.conversation->handshake_done_ns - ack.conversation->syn_time_ns == 2'000'000);
  CHECK_FALSE(ack.conversation->roles_guessed);
  CHECK_FALSE(ack.conversation->mid_stream);
}

TEST_CASE("data, a piggybacked ACK on the echo, and a pure ACK that names the packet it confirms") {
  Feed feed;
  handshake(feed);
  const auto request = feed(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));  // #4
  CHECK(request.phase == Phase::data);
  CHECK(request.tcp.rel_seq == 1);
  CHECK(request.tcp.rel_next_seq == 7);
  CHECK_FALSE(request.tcp.piggybacked);  // it acknowledges nothing new
  CHECK(request.tcp.newly_acked == 0);

  const auto echo = feed(tcp(server_ep, client_ep, S + 1, C + 7, PSH | ACK, 6, "Hello?"));  // #5
  CHECK(echo.tcp.piggybacked);
  CHECK(echo.tcp.newly_acked == 6);
  CHECK(echo.tcp.acked_packet == 4);
  CHECK(echo.tcp.acked_packet_age_ns == 1'000'000);
  CHECK(echo.tcp.rel_ack == 7);

  const auto ack = feed(tcp(client_ep, server_ep, C + 7, S + 7, ACK));  // #6
  CHECK(ack.phase == Phase::data);
  CHECK(ack.tcp.newly_acked == 6);
  CHECK(ack.tcp.acked_packet == 5);
  CHECK_FALSE(ack.tcp.piggybacked);

  const auto again = feed(tcp(client_ep, server_ep, C + 7, S + 7, ACK));  // nothing new
  CHECK(again.tcp.newly_acked == 0);
  CHECK(again.tcp.acked_packet == 0);
}

TEST_CASE("teardown, client first, four packets: FIN-WAIT-1/2, CLOSE-WAIT, LAST-ACK, TIME-WAIT") {
  Feed feed;
  handshake(feed);
  const auto fin = feed(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));
  CHECK(fin.phase == Phase::teardown);
  CHECK(fin.tcp.new_fin);
  CHECK(fin.tcp.seq_len == 1);
  CHECK(client_state(fin) == TcpState::fin_wait_1);
  CHECK(server_state(fin) == TcpState::close_wait);

  const auto ack = feed(tcp(server_ep, client_ep, S + 1, C + 2, ACK));
  CHECK(ack.tcp.acks_fin);
  CHECK(ack.phase == Phase::teardown);
  CHECK(client_state(ack) == TcpState::fin_wait_2);
  CHECK(server_state(ack) == TcpState::close_wait);

  const auto server_fin = feed(tcp(server_ep, client_ep, S + 1, C + 2, FIN | ACK));
  CHECK(client_state(server_fin) == TcpState::time_wait);
  CHECK(server_state(server_fin) == TcpState::last_ack);

  const auto last = feed(tcp(client_ep, server_ep, C + 2, S + 2, ACK));
  CHECK(last.tcp.acks_fin);
  CHECK(client_state(last) == TcpState::time_wait);
  CHECK(server_state(last) == TcpState::closed);
  REQUIRE(last.conversation->first_to_close.has_value());
  CHECK(*last.conversation->first_to_close == Role::client);
}

TEST_CASE("teardown in three packets: the server's FIN carries the ACK of the client's FIN") {
  Feed feed;
  handshake(feed);
  feed(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));
  const auto fin_ack = feed(tcp(server_ep, client_ep, S + 1, C + 2, FIN | ACK));
  CHECK(fin_ack.tcp.acks_fin);
  CHECK(fin_ack.tcp.new_fin);
  CHECK(client_state(fin_ack) == TcpState::time_wait);  // via FIN-WAIT-2 within the same segment
  CHECK(server_state(fin_ack) == TcpState::last_ack);
  const auto last = feed(tcp(client_ep, server_ep, C + 2, S + 2, ACK));
  CHECK(server_state(last) == TcpState::closed);
}

TEST_CASE("teardown, server first") {
  Feed feed;
  handshake(feed);
  const auto fin = feed(tcp(server_ep, client_ep, S + 1, C + 1, FIN | ACK));
  CHECK(server_state(fin) == TcpState::fin_wait_1);
  CHECK(client_state(fin) == TcpState::close_wait);
  feed(tcp(client_ep, server_ep, C + 1, S + 2, ACK));
  const auto client_fin = feed(tcp(client_ep, server_ep, C + 1, S + 2, FIN | ACK));
  CHECK(client_state(client_fin) == TcpState::last_ack);
  CHECK(server_state(client_fin) == TcpState::time_wait);
  const auto last = feed(tcp(server_ep, client_ep, S + 2, C + 2, ACK));
  CHECK(client_state(last) == TcpState::closed);
  CHECK(*last.conversation->first_to_close == Role::server);
}

TEST_CASE("simultaneous close goes through CLOSING") {
  Feed feed;
  handshake(feed);
  feed(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));
  const auto crossing = feed(tcp(server_ep, client_ep, S + 1, C + 1, FIN | ACK));  // does not ack the client's FIN
  CHECK(client_state(crossing) == TcpState::closing);
  const auto ack_from_client = feed(tcp(client_ep, server_ep, C + 2, S + 2, ACK));
  CHECK(server_state(ack_from_client) == TcpState::time_wait);
  const auto ack_from_server = feed(tcp(server_ep, client_ep, S + 2, C + 2, ACK));
  CHECK(client_state(ack_from_server) == TcpState::time_wait);
}

TEST_CASE("a retransmitted FIN changes nothing") {
  Feed feed;
  handshake(feed);
  feed(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));
  const auto again = feed(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));
  CHECK_FALSE(again.tcp.new_fin);
  CHECK(client_state(again) == TcpState::fin_wait_1);
  CHECK(server_state(again) == TcpState::close_wait);
}

TEST_CASE("RST: aborting an established connection, and refusing a SYN") {
  SECTION("abort") {
    Feed feed;
    handshake(feed);
    const auto rst = feed(tcp(client_ep, server_ep, C + 1, S + 1, RST | ACK));
    CHECK(rst.phase == Phase::reset);
    CHECK(client_state(rst) == TcpState::closed);
    CHECK(server_state(rst) == TcpState::closed);
    CHECK(rst.conversation->reset);
  }
  SECTION("connection refused") {
    Feed feed;
    feed(tcp(client_ep, server_ep, C, 0, SYN));
    const auto rst = feed(tcp(server_ep, client_ep, 0, C + 1, RST | ACK));
    CHECK(rst.from == Role::server);
    CHECK(rst.tcp.before[0] == TcpState::syn_sent);
    CHECK(rst.phase == Phase::reset);
    CHECK(client_state(rst) == TcpState::closed);
  }
}

TEST_CASE("sequence numbers wrapping through 2^32") {
  constexpr std::uint32_t isn = 0xFFFFFFF0u;
  Feed feed;
  feed(tcp(client_ep, server_ep, isn, 0, SYN));
  feed(tcp(server_ep, client_ep, S, isn + 1, SYN | ACK));
  feed(tcp(client_ep, server_ep, isn + 1, S + 1, ACK));
  const auto data = feed(tcp(client_ep, server_ep, isn + 1, S + 1, PSH | ACK, 32));  // crosses 0
  CHECK(data.tcp.rel_seq == 1);
  CHECK(data.tcp.rel_next_seq == 33);
  CHECK(data.conversation->side(Role::client).next_seq == 0x00000011u);
  const auto ack = feed(tcp(server_ep, client_ep, S + 1, isn + 33, ACK));  // the ack value has wrapped
  CHECK(ack.tcp.rel_ack == 33);
  CHECK(ack.tcp.newly_acked == 32);
  CHECK(ack.tcp.acked_packet == 4);
  const auto more = feed(tcp(client_ep, server_ep, isn + 33, S + 1, PSH | ACK, 8));
  CHECK(more.tcp.rel_seq == 33);
  CHECK(more.conversation->side(Role::client).next_seq == 0x00000019u);
}

TEST_CASE("a connection first seen mid-stream: relative numbers start at 1, roles are a guess") {
  Feed feed;
  const auto first = feed(tcp(v4(1, 40000), v4(1, 80), 777777, 123456, PSH | ACK, 10));
  REQUIRE(first.conversation);
  CHECK(first.conversation->mid_stream);
  CHECK(first.conversation->roles_guessed);
  CHECK(first.from == Role::client);  // port 80 is the service's
  CHECK(first.tcp.rel_seq == 1);
  CHECK(first.tcp.rel_ack == 1);
  CHECK(client_state(first) == TcpState::established);
  const auto reply = feed(tcp(v4(1, 80), v4(1, 40000), 123456, 777777 + 10, ACK, 20));
  CHECK(reply.from == Role::server);
  CHECK(reply.tcp.rel_seq == 1);
  CHECK(reply.tcp.rel_ack == 11);
}

TEST_CASE("interleaved conversations get their own streams and states") {
  Feed feed;
  const auto a = feed(tcp(v4(1, 1111), server_ep, 10, 0, SYN));
  const auto b = feed(tcp(v4(1, 2222), server_ep, 20, 0, SYN));
  const auto a2 = feed(tcp(server_ep, v4(1, 1111), 30, 11, SYN | ACK));
  CHECK(a.conversation->stream == 0);
  CHECK(b.conversation->stream == 1);
  CHECK(a2.conversation == a.conversation);
  CHECK(a2.tcp.after[0] == TcpState::established);
  CHECK(b.conversation->side(Role::client).state == TcpState::syn_sent);
  CHECK(feed.tracker.size() == 2);
  const auto all = feed.tracker.conversations();
  REQUIRE(all.size() == 2);
  CHECK(all[0]->stream == 0);
  CHECK(all[1]->stream == 1);
}

TEST_CASE("UDP: the first sender is the client, an echo is recognised") {
  Feed feed;
  const auto request = feed(udp(v4(1, 41234), v4(1, 5005), "Hello?"));
  REQUIRE(request.conversation);
  CHECK(request.from == Role::client);
  CHECK(request.udp.datagram_number == 1);
  CHECK_FALSE(request.udp.echoes_previous);
  const auto echo = feed(udp(v4(1, 5005), v4(1, 41234), "Hello?"));
  CHECK(echo.from == Role::server);
  CHECK(echo.udp.echoes_previous);
  CHECK(echo.udp.echoed_packet == 1);
  CHECK(echo.udp.echo_delay_ns == 1'000'000);
  const auto other = feed(udp(v4(1, 5005), v4(1, 41234), "Bye"));
  CHECK_FALSE(other.udp.echoes_previous);
  CHECK(request.conversation->stream == 0);
}

TEST_CASE("packets without TCP or UDP get no conversation") {
  Feed feed;
  lab::decode::DecodedPacket arp;
  arp.link.protocol = lab::decode::ethertype::arp;
  const auto o = feed(arp);
  CHECK(o.conversation == nullptr);
  CHECK(feed.tracker.size() == 0);
}

// With --delay the wire holds a packet: its sender's step is taken when it is captured, its receiver's when it
// arrives. Two FINs that cross: each side goes FIN-WAIT-1 as it sends, then CLOSING as the other's FIN arrives.
TEST_CASE("two steps: a FIN sent, then received later; crossing FINs make both sides CLOSING, never CLOSE-WAIT") {
  lab::flow::Tracker tracker;
  std::uint32_t index = 0;
  auto sent = [&](const lab::decode::DecodedPacket& p, bool later) {
    ++index;
    return tracker.observe(index, 1'000'000'000 + index * 1'000'000, 66, p, true, later);
  };
  constexpr std::uint32_t C = 1000, S = 5000;
  sent(tcp(client_ep, server_ep, C, 0, SYN), false);
  sent(tcp(server_ep, client_ep, S, C + 1, SYN | ACK), false);
  sent(tcp(client_ep, server_ep, C + 1, S + 1, ACK), false);
  const auto client_fin = tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK);
  const auto server_fin = tcp(server_ep, client_ep, S + 1, C + 1, FIN | ACK);
  auto a = sent(client_fin, true);
  CHECK(a.tcp.after[0] == lab::flow::TcpState::fin_wait_1);
  CHECK(a.tcp.after[1] == lab::flow::TcpState::established);  // not arrived yet
  auto b = sent(server_fin, true);
  CHECK(b.tcp.before[1] == lab::flow::TcpState::established);
  CHECK(b.tcp.after[1] == lab::flow::TcpState::fin_wait_1);
  tracker.observe_receipt(client_fin, a);
  CHECK(a.tcp.before[1] == lab::flow::TcpState::fin_wait_1);
  CHECK(a.tcp.after[1] == lab::flow::TcpState::closing);
  CHECK(a.tcp.receiver_when_sent == lab::flow::TcpState::established);
  tracker.observe_receipt(server_fin, b);
  CHECK(b.tcp.after[0] == lab::flow::TcpState::closing);
}

// The lab's wire knows what arrived: a FIN beyond a gap waits, and takes effect with the segment that fills it.
TEST_CASE("a FIN beyond a gap is held until the gap is filled, where the wire says what arrived") {
  lab::flow::Tracker tracker(lab::flow::default_wireshark_rules, lab::flow::Listener::listening);
  std::uint32_t index = 0;
  auto send = [&](const lab::decode::DecodedPacket& p, bool delivered = true) {
    ++index;
    return tracker.observe(index, 1'000'000'000 + index * 1'000'000, 66, p, delivered, false, true);
  };
  constexpr std::uint32_t C = 1000, S = 5000;
  const auto syn = send(tcp(client_ep, server_ep, C, 0, SYN));
  CHECK(syn.tcp.before[1] == lab::flow::TcpState::listen);
  send(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  send(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
  send(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"), false);  // dropped
  const auto fin = send(tcp(client_ep, server_ep, C + 7, S + 1, FIN | ACK));
  CHECK(fin.tcp.fin_held);
  CHECK(fin.tcp.gap_from == 1);
  CHECK(fin.tcp.after[1] == lab::flow::TcpState::established);
  const auto again = send(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));  // the retransmission
  CHECK(again.tcp.fin_arrives);
  CHECK(again.tcp.fin_from_packet == fin.tcp.packet_index);
  CHECK(again.tcp.after[1] == lab::flow::TcpState::close_wait);
}

// A capture from elsewhere takes what passes it as arrived. A SYN sent again by a client it showed ESTABLISHED proves
// the SYN-ACK never reached it: the state goes back (capture_corrected), and the ACK that follows re-establishes it.
TEST_CASE("a SYN sent again by a side the capture showed ESTABLISHED: the capture corrects itself") {
  Feed feed;
  constexpr std::uint32_t C = 1000, S = 5000;
  feed(tcp(client_ep, server_ep, C, 0, SYN));
  const auto syn_ack = feed(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  CHECK(syn_ack.tcp.after[0] == TcpState::established);  // taken as arrived
  const auto again = feed(tcp(client_ep, server_ep, C, 0, SYN));
  CHECK(again.tcp.capture_corrected);
  CHECK(again.tcp.after[0] == TcpState::syn_sent);
  const auto ack = feed(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
  CHECK(!ack.tcp.capture_corrected);
  CHECK(ack.tcp.after[0] == TcpState::established);
  CHECK(ack.tcp.after[1] == TcpState::established);
}

// Why a reset: the clues the packets before it give (rst_clues.hpp), one capture per reason.
namespace {

struct ResetRun {
  lab::flow::Tracker tracker;
  std::uint32_t index = 0;
  std::int64_t now = 1'000'000'000;
  lab::flow::Observation send(lab::decode::DecodedPacket p, std::int64_t after_ns = 1'000'000, std::uint8_t ttl = 64) {
    ++index;
    now += after_ns;
    p.ipv4->ttl = ttl;
    return tracker.observe(index, now, 66, p);
  }
};

// Handshake, then the client's "hi" and the server's echo, acknowledged: client next seq C+3, server S+3.
void open_and_echo(ResetRun& r) {
  r.send(tcp(client_ep, server_ep, C, 0, SYN));
  r.send(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  r.send(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
  r.send(tcp(client_ep, server_ep, C + 1, S + 1, ACK | PSH, 2, "hi"));
  r.send(tcp(server_ep, client_ep, S + 1, C + 3, ACK | PSH, 2, "hi"));
}

}  // namespace

TEST_CASE("a reset after the other side's data reached its sender: unread data (or SO_LINGER 0)") {
  ResetRun r;
  open_and_echo(r);
  const auto rst = r.send(tcp(client_ep, server_ep, C + 3, S + 3, RST | ACK));
  CHECK(rst.tcp.rst.clue == lab::flow::RstClue::unread_data);
  CHECK(rst.tcp.rst.peer_data_packet == 5);
  CHECK(rst.tcp.rst.acks_peer_data);
  CHECK(rst.tcp.rst.since_peer_data_ns == 1'000'000);
  CHECK(rst.tcp.rst.own_fin_packet == 0);
}

TEST_CASE("a reset answering data sent after its sender's FIN: data after close") {
  ResetRun r;
  open_and_echo(r);
  r.send(tcp(client_ep, server_ep, C + 3, S + 3, FIN | ACK));                // #6: the client closes
  r.send(tcp(server_ep, client_ep, S + 3, C + 4, ACK | PSH, 4, "more"));     // #7: the server still sends
  const auto rst = r.send(tcp(client_ep, server_ep, C + 4, 0, RST));
  CHECK(rst.tcp.rst.clue == lab::flow::RstClue::data_after_close);
  CHECK(rst.tcp.rst.own_fin_packet == 6);
  CHECK(rst.tcp.rst.peer_data_packet == 7);
  CHECK(rst.tcp.rst.peer_data_after_fin);
}

TEST_CASE("a reset with another TTL than its sender's packets, and one after a long silence") {
  {
    ResetRun r;
    open_and_echo(r);
    r.send(tcp(client_ep, server_ep, C + 3, S + 3, ACK));  // the client acknowledges the echo: nothing unread in view
    const auto rst = r.send(tcp(server_ep, client_ep, S + 3, 0, RST), 1'000'000, 51);
    CHECK(rst.tcp.rst.clue == lab::flow::RstClue::other_ttl);
    CHECK(rst.tcp.rst.ttl == 51);
    CHECK(rst.tcp.rst.sender_ttl_before == 64);
  }
  {
    ResetRun r;
    open_and_echo(r);
    r.send(tcp(client_ep, server_ep, C + 3, S + 3, ACK));
    const auto rst = r.send(tcp(server_ep, client_ep, S + 3, 0, RST), 300'000'000'000);  // five minutes later
    CHECK(rst.tcp.rst.clue == lab::flow::RstClue::idle);
    CHECK(rst.tcp.rst.idle_ns == 300'000'000'000);
  }
  {
    ResetRun r;  // right after the handshake, nothing sent: no clue
    r.send(tcp(client_ep, server_ep, C, 0, SYN));
    r.send(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
    r.send(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
    const auto rst = r.send(tcp(client_ep, server_ep, C + 1, S + 1, RST | ACK));
    CHECK(rst.tcp.rst.clue == lab::flow::RstClue::none);
    CHECK(rst.tcp.rst.peer_data_packet == 0);
  }
}
