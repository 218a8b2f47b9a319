// Wireshark's TCP sequence analysis in the tracker (each kind on a crafted sequence, with the packets it refers
// to), its explanations, and what a packet dropped by the lab's wire changes: sent, never received.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "capture/annotate/annotator.hpp"
#include "capture/render/json_renderer.hpp"
#include "capture/render/text_renderer.hpp"
#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"

using namespace lab::test;
using lab::decode::SendTrigger;
using lab::flow::TcpState;
namespace a = lab::flow::analysis;

namespace {

constexpr std::uint32_t C = 1000;  // the client's ISN
constexpr std::uint32_t S = 5000;  // the server's ISN
constexpr std::int64_t ms = 1'000'000;

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Packets through the tracker and the annotator, with the lab's wire note of each; keeps every observation,
// note, and the JSON and text renderings.
struct Run {
  Feed feed;
  std::vector<lab::flow::Observation> seen;
  std::vector<std::string> notes;
  std::string json, text, quiet_text;
  lab::render::JsonRenderer json_renderer;
  lab::render::TextRenderer text_renderer{{true, false, false, 400}};
  lab::render::TextRenderer quiet_renderer{{false, false, false, 400}};

  const lab::flow::Observation& operator()(const lab::decode::DecodedPacket& p, bool delivered = true,
                                           SendTrigger trigger = SendTrigger::unknown) {
    const auto o = feed(p, delivered);
    lab::decode::Frame frame;
    frame.time_ns = feed.now();
    frame.wire_len = 66 + p.payload_len;
    frame.wire.dropped = !delivered;
    frame.wire.trigger = trigger;
    std::string note;
    lab::annotate::annotate_packet({feed.index, frame, p, o}, {}, note);
    const lab::render::PacketView view{feed.index, frame.time_ns - 1'000'000'000, frame, p, o, note};
    json_renderer.packet(view, json);
    text_renderer.packet(view, text);
    quiet_renderer.packet(view, quiet_text);
    seen.push_back(o);
    notes.push_back(note);
    return seen.back();
  }
  const lab::flow::TroubleCounts& trouble() const { return feed.tracker.conversations().front()->trouble; }
  nlohmann::json json_of(std::size_t index) const {  // 1-based, like packet numbers
    std::size_t start = 0;
    for (std::size_t i = 1; i < index; ++i) start = json.find('\n', start) + 1;
    return nlohmann::json::parse(json.substr(start, json.find('\n', start) - start));
  }
};

// SYN, SYN-ACK, ACK (packets 1-3), 1 ms apart.
void handshake(Run& run, std::uint16_t server_window = 65483) {
  run(tcp(client_ep, server_ep, C, 0, SYN));
  run(with_window(tcp(server_ep, client_ep, S, C + 1, SYN | ACK), server_window));
  run(tcp(client_ep, server_ep, C + 1, S + 1, ACK));
}

}  // namespace

TEST_CASE("analysis: a retransmission after a timeout names the dropped original and the kernel's reason") {
  Run run;
  handshake(run);
  const auto& sent = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"), false);  // #4, dropped
  CHECK_FALSE(sent.delivered);
  CHECK_FALSE(sent.tcp.analysis.any());
  run.feed.wait(202 * ms);
  const auto& again = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"), true, SendTrigger::timeout);
  CHECK(again.tcp.has(a::retransmission));
  CHECK(again.tcp.analysis.retransmission_family());
  CHECK(again.tcp.retransmission_of == 4);
  CHECK(again.tcp.original_dropped);
  CHECK(again.tcp.copies_before == 1);
  CHECK(again.tcp.since_previous_copy_ns == 203 * ms);
  const std::string& note = run.notes.back();
  INFO(note);
  CHECK(contains(note, "Retransmission: packet #4 (bytes 1..6) was dropped by the lab and never arrived; 203 ms later, with still no ACK 7 from the server, the client sends bytes 1..6 again."));
  CHECK(contains(note, "retransmission timer (RTO) expired"));
  CHECK(contains(note, "retransmission timer (RTO) expired."));
  CHECK(!contains(note, "at least 200 ms"));  // a kernel setting is not quoted from memory
  CHECK(contains(run.notes[3], "Dropped by the lab: this packet left the client but never reaches the server."));
  // The renderings: Wireshark's names in JSON, its tag in text.
  const auto j = run.json_of(5);
  CHECK(j["analysis"] == nlohmann::json::array({"retransmission"}));
  CHECK(j["retransmission_of"] == 4);
  CHECK(j["send_trigger"] == "timeout");
  CHECK(j["dropped_by_lab"] == false);
  CHECK(j["duplicate_ack_num"].is_null());
  CHECK(run.json_of(4)["dropped_by_lab"] == true);
  CHECK(run.json_of(4)["send_trigger"].is_null());
  CHECK(contains(run.text, "len=6 win=65483 [TCP Retransmission]"));
  CHECK(contains(run.text, "DROPPED by the lab"));
  // Without --annotate only the packets that went wrong get a line, with the same tags.
  CHECK(contains(run.quiet_text, "[TCP Retransmission]"));
  CHECK(contains(run.quiet_text, "#4 "));
  CHECK(contains(run.quiet_text, "DROPPED by the lab"));
  CHECK_FALSE(contains(run.quiet_text, "#1 "));
  CHECK(run.trouble().retransmissions == 1);
  CHECK(run.trouble().dropped_by_lab == 1);
}

TEST_CASE("analysis: without the kernel's reason the timing is read, and said to be a guess") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  run.feed.wait(40 * ms);
  const auto& again = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  CHECK(again.tcp.has(a::retransmission));
  CHECK_FALSE(again.tcp.original_dropped);
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Retransmission: the client sends bytes 1..6 again, first sent in packet #4; 41.0 ms after the previous copy"));
  CHECK(contains(run.notes.back(), "sooner than a retransmission timer usually waits (Linux's default minimum is 200 ms)"));
  CHECK(contains(run.notes.back(), "A capture cannot tell for sure."));
}

TEST_CASE("analysis: a SYN sent again after the SYN timer, the first one dropped") {
  Run run;
  const auto& syn = run(tcp(client_ep, server_ep, C, 0, SYN), false);
  CHECK(syn.tcp.after[0] == TcpState::syn_sent);
  CHECK(syn.tcp.after[1] == TcpState::unknown);  // the server never saw it
  CHECK(contains(run.notes[0], "Dropped by the lab: this packet left the client but never reaches the server."));
  CHECK_FALSE(contains(run.notes[0], "server is now"));
  run.feed.wait(1000 * ms);
  const auto& again = run(tcp(client_ep, server_ep, C, 0, SYN), true, SendTrigger::timeout);
  CHECK(again.tcp.has(a::retransmission));
  CHECK(again.tcp.retransmission_of == 1);
  CHECK(again.tcp.after[1] == TcpState::syn_received);  // this one arrives
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Retransmission: packet #1 (its SYN) was dropped by the lab"));
  CHECK(contains(run.notes.back(), "SYN timeout"));
  // The retry schedule is the running kernel's (net.ipv4.tcp_syn_linear_timeouts...), not quoted from memory.
  CHECK(!contains(run.notes.back(), "then 2 s, 4 s"));
}

TEST_CASE("analysis: duplicate ACKs are numbered, name the packet they repeat, and bring a fast retransmission") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, ACK, 100));          // #4: bytes 1..100
  run(tcp(client_ep, server_ep, C + 101, S + 1, ACK, 100), false);  // #5: bytes 101..200, dropped
  run(tcp(server_ep, client_ep, S + 1, C + 101, ACK));              // #6: ack 101
  run(tcp(client_ep, server_ep, C + 201, S + 1, ACK, 100));        // #7: bytes 201..300 arrive after a gap
  const auto& first = run(tcp(server_ep, client_ep, S + 1, C + 101, ACK));  // #8
  CHECK(first.tcp.has(a::duplicate_ack));
  CHECK(first.tcp.dup_ack_num == 1);
  CHECK(first.tcp.dup_ack_frame == 6);
  run(tcp(client_ep, server_ep, C + 301, S + 1, ACK, 100));  // #9
  const auto& second = run(tcp(server_ep, client_ep, S + 1, C + 101, ACK));  // #10
  CHECK(second.tcp.dup_ack_num == 2);
  CHECK(second.tcp.dup_ack_frame == 6);
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Duplicate ACK #2 of packet #6: the server still asks for byte 101"));
  CHECK(contains(run.notes.back(), "something after byte 100 is missing or arrived out of order"));
  CHECK(contains(run.notes.back(), "fast retransmit"));
  CHECK(contains(run.text, "[TCP Dup ACK 6#2]"));
  CHECK(run.json_of(10)["duplicate_ack_num"] == 2);
  CHECK(run.json_of(10)["duplicate_ack_frame"] == 6);
  CHECK(run.json_of(10)["analysis"] == nlohmann::json::array({"duplicate_ack"}));

  const auto& fast = run(tcp(client_ep, server_ep, C + 101, S + 1, ACK, 100), true, SendTrigger::fast_retransmit);  // #11
  CHECK(fast.tcp.has(a::fast_retransmission));
  CHECK_FALSE(fast.tcp.has(a::retransmission));
  CHECK(fast.tcp.retransmission_of == 5);
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Fast retransmission: the server sent 2 duplicate ACKs asking for byte 101"));
  CHECK(contains(run.notes.back(), "It was first sent in packet #5, which the lab dropped."));
  CHECK(run.json_of(11)["analysis"] == nlohmann::json::array({"retransmission", "fast_retransmission"}));
  CHECK(contains(run.text, "[TCP Fast Retransmission]"));

  // The ACK moves on: the count starts again.
  run(tcp(server_ep, client_ep, S + 1, C + 401, ACK));  // #12
  const auto& after = run(tcp(server_ep, client_ep, S + 1, C + 401, ACK));  // #13
  CHECK(after.tcp.dup_ack_num == 1);
  CHECK(after.tcp.dup_ack_frame == 12);
  CHECK(run.trouble().duplicate_acks == 3);
  CHECK(run.trouble().fast_retransmissions == 1);
  CHECK(run.trouble().retransmissions == 1);
}

TEST_CASE("analysis: a spurious retransmission repeats data the receiver had already acknowledged") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  run(tcp(server_ep, client_ep, S + 1, C + 7, ACK));
  run.feed.wait(300 * ms);
  const auto& again = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  CHECK(again.tcp.has(a::spurious_retransmission));
  CHECK(again.tcp.retransmission_of == 4);
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Spurious retransmission: the client sends bytes 1..6 again, but the server had already acknowledged them (ack 7)"));
  CHECK(run.trouble().spurious_retransmissions == 1);
}

TEST_CASE("analysis: a gap is a segment not captured, and the late segment is out of order") {
  Run run;
  handshake(run);  // SYN to ACK: 2 ms, the out-of-order threshold from now on
  const auto& ahead = run(tcp(client_ep, server_ep, C + 101, S + 1, ACK, 100));  // #4
  CHECK(ahead.tcp.has(a::lost_segment));
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Previous segment not captured: this segment starts at seq 101, but the client's data seen so far ended before seq 1: 100 sequence numbers"));
  const auto& late = run(tcp(client_ep, server_ep, C + 1, S + 1, ACK, 100));  // #5, 1 ms later
  CHECK(late.tcp.has(a::out_of_order));
  CHECK_FALSE(late.tcp.analysis.retransmission_family());
  CHECK(contains(run.notes.back(), "Out of order: seq 1 is below data the client has already sent (up to seq 201)"));
  CHECK(run.trouble().lost_segments == 1);
  CHECK(run.trouble().out_of_order == 1);
}

TEST_CASE("analysis: an ACK of data the capture never saw") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  const auto& ack = run(tcp(server_ep, client_ep, S + 1, C + 20, ACK));
  CHECK(ack.tcp.has(a::ack_lost_segment));
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "ACKed unseen segment: the server acknowledges data up to ack 20"));
  CHECK(contains(run.notes.back(), "capture-side loss"));
  CHECK(run.trouble().acked_unseen == 1);
}

TEST_CASE("analysis: zero window, probe, probe ACK, window update") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));                   // #4
  const auto& closed = run(with_window(tcp(server_ep, client_ep, S + 1, C + 7, ACK), 0));  // #5
  CHECK(closed.tcp.has(a::zero_window));
  CHECK(contains(run.notes.back(), "Zero window: the server advertises a window of 0: its receive buffer is full because its application is not reading fast enough."));
  const auto& probe = run(tcp(client_ep, server_ep, C + 7, S + 1, ACK, 1, "x"));  // #6
  CHECK(probe.tcp.has(a::zero_window_probe));
  CHECK_FALSE(probe.tcp.has(a::retransmission));
  CHECK(contains(run.notes.back(), "Zero-window probe: the server's window is 0, so the client pushes 1 byte (seq 7)"));
  const auto& answer = run(with_window(tcp(server_ep, client_ep, S + 1, C + 7, ACK), 0));  // #7
  CHECK(answer.tcp.has(a::zero_window_probe_ack));
  CHECK(answer.tcp.has(a::zero_window));
  CHECK_FALSE(answer.tcp.has(a::duplicate_ack));
  CHECK(contains(run.notes.back(), "Zero-window probe ACK"));
  const auto& open = run(with_window(tcp(server_ep, client_ep, S + 1, C + 7, ACK), 4000));  // #8
  CHECK(open.tcp.has(a::window_update));
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Window update: no data and no new ACK, only a new window (0 → 4000)"));
  CHECK(contains(run.text, "[TCP ZeroWindow]"));
  CHECK(contains(run.text, "[TCP ZeroWindowProbe]"));
  CHECK(contains(run.text, "[TCP Window Update]"));
  CHECK(run.json_of(7)["analysis"] == nlohmann::json::array({"zero_window", "zero_window_probe_ack"}));
  CHECK(run.trouble().zero_windows == 2);
}

TEST_CASE("analysis: a segment that fills the receiver's window") {
  Run run;
  handshake(run, 100);  // the server's window: 100 bytes (no window scaling offered)
  const auto& full = run(tcp(client_ep, server_ep, C + 1, S + 1, ACK, 100));
  CHECK(full.tcp.has(a::window_full));
  CHECK(full.tcp.receiver_window == 100);
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "Window full: this segment fills the server's advertised window to its last byte (100 bytes beyond its last ACK)"));
  CHECK(contains(run.text, "[TCP Window Full]"));
  const auto& short_of_it = run(tcp(client_ep, server_ep, C + 101, S + 1, ACK, 10));
  CHECK_FALSE(short_of_it.tcp.has(a::window_full));
}

TEST_CASE("analysis: keep-alive and its ACK") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  run(tcp(server_ep, client_ep, S + 1, C + 7, ACK));
  run.feed.wait(7200LL * 1000 * ms);
  const auto& probe = run(tcp(client_ep, server_ep, C + 6, S + 1, ACK));
  CHECK(probe.tcp.has(a::keep_alive));
  CHECK_FALSE(probe.tcp.analysis.retransmission_family());
  CHECK(contains(run.notes.back(), "Keep-alive, as Wireshark tags it: the client sends seq 6, one before its next seq, with no data"));
  const auto& answer = run(tcp(server_ep, client_ep, S + 1, C + 7, ACK));
  CHECK(answer.tcp.has(a::keep_alive_ack));
  CHECK_FALSE(answer.tcp.has(a::duplicate_ack));
  CHECK(contains(run.notes.back(), "Keep-alive ACK: the server answers the keep-alive"));
  CHECK(contains(run.text, "[TCP Keep-Alive]"));
  CHECK(contains(run.text, "[TCP Keep-Alive ACK]"));
}

// Wireshark's keep-alive tag is about the segment's shape; the explanation follows the evidence.
TEST_CASE("analysis: a keep-alive-shaped tail-loss probe and a closed-window probe are told as what they are") {
  Run run;
  handshake(run);
  run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 1, "A"));  // one byte, never acknowledged
  const auto& probe = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 1, "A"), true, SendTrigger::tail_loss_probe);
  CHECK(probe.tcp.has(a::keep_alive));
  INFO(run.notes.back());
  CHECK(contains(run.notes.back(), "the client's kernel counted it as a tail-loss probe"));
  CHECK_FALSE(contains(run.notes.back(), "SO_KEEPALIVE"));

  Run closed;
  handshake(closed);
  closed(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  closed(with_window(tcp(server_ep, client_ep, S + 1, C + 7, ACK), 0));
  const auto& zero = closed(tcp(client_ep, server_ep, C + 6, S + 1, ACK));
  CHECK(zero.tcp.has(a::keep_alive));
  INFO(closed.notes.back());
  CHECK(contains(closed.notes.back(), "this is a probe of the closed window"));
  CHECK_FALSE(contains(closed.notes.back(), "SO_KEEPALIVE"));
}

TEST_CASE("dropped by the lab: a FIN that never arrives leaves the receiver ESTABLISHED until it is sent again") {
  Run run;
  handshake(run);
  const auto& fin = run(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK), false);  // #4
  CHECK(fin.tcp.after[0] == TcpState::fin_wait_1);   // the client did close
  CHECK(fin.tcp.after[1] == TcpState::established);  // the server never heard of it
  CHECK(contains(run.notes.back(), "Dropped by the lab: this packet left the client but never reaches the server."));
  CHECK_FALSE(contains(run.notes.back(), "CLOSE-WAIT"));
  run.feed.wait(200 * ms);
  const auto& again = run(tcp(client_ep, server_ep, C + 1, S + 1, FIN | ACK));  // #5
  CHECK(again.tcp.has(a::retransmission));
  CHECK(again.tcp.after[1] == TcpState::close_wait);
  CHECK(contains(run.notes.back(), "Retransmission: packet #4 (its FIN (seq 1)) was dropped by the lab"));
  // The server's ACK of the FIN is dropped: the client stays in FIN-WAIT-1, its FIN not acknowledged...
  const auto& lost_ack = run(tcp(server_ep, client_ep, S + 1, C + 2, ACK), false);  // #6
  CHECK_FALSE(lost_ack.tcp.acks_fin);
  CHECK(lost_ack.tcp.after[0] == TcpState::fin_wait_1);
  CHECK(contains(run.notes.back(), "It would have confirmed packet #5"));
  // ...until an ACK of it arrives.
  const auto& ack = run(tcp(server_ep, client_ep, S + 1, C + 2, ACK));  // #7
  CHECK(ack.tcp.acks_fin);
  CHECK(ack.tcp.after[0] == TcpState::fin_wait_2);
  CHECK(run.trouble().dropped_by_lab == 2);
}

TEST_CASE("dropped by the lab: the handshake's last ACK lost leaves the server in SYN-RECEIVED") {
  Run run;
  run(tcp(client_ep, server_ep, C, 0, SYN));
  run(tcp(server_ep, client_ep, S, C + 1, SYN | ACK));
  const auto& ack = run(tcp(client_ep, server_ep, C + 1, S + 1, ACK), false);
  CHECK(ack.tcp.handshake_step == 3);
  CHECK_FALSE(ack.tcp.acks_syn);
  CHECK(ack.tcp.after[0] == TcpState::established);
  CHECK(ack.tcp.after[1] == TcpState::syn_received);
  CHECK(contains(run.notes.back(), "but this ACK never arrives: the server stays SYN-RECEIVED"));
  CHECK_FALSE(contains(run.notes.back(), "Both sides are now ESTABLISHED"));
  // The client's first data carries the same ACK, and this time it arrives.
  const auto& data = run(tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"));
  CHECK(data.tcp.acks_syn);
  CHECK(data.tcp.after[1] == TcpState::established);
}
