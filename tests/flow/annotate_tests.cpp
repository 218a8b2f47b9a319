#include "capture/annotate/annotator.hpp"

#include <string>
#include <vector>

#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"

using namespace lab::test;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Runs packets through tracker and annotator, returns each note.
std::vector<std::string> notes_for(const std::vector<lab::decode::DecodedPacket>& packets, bool absolute = false) {
  Feed feed;
  std::vector<std::string> notes;
  for (const auto& p : packets) {
    const auto o = feed(p);
    lab::decode::Frame frame;
    frame.time_ns = 1'000'000'000 + std::int64_t{feed.index} * 1'000'000;
    std::string note;
    lab::annotate::annotate_packet({feed.index, frame, p, o}, {absolute}, note);
    notes.push_back(note);
  }
  return notes;
}

constexpr std::uint32_t C = 1000, S = 5000;

std::vector<lab::decode::DecodedPacket> echo_exchange() {
  auto syn = tcp(client_ep, server_ep, C, 0, SYN);
  syn.tcp->options.mss = 65495;
  syn.tcp->options.window_scale = 7;
  syn.tcp->options.sack_permitted = true;
  syn.tcp->options.has_timestamps = true;
  auto syn_ack = tcp(server_ep, client_ep, S, C + 1, SYN | ACK);
  syn_ack.tcp->options.mss = 65495;
  syn_ack.tcp->options.window_scale = 7;
  return {syn,
          syn_ack,
          tcp(client_ep, server_ep, C + 1, S + 1, ACK),
          tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"),
          tcp(server_ep, client_ep, S + 1, C + 7, ACK),
          tcp(server_ep, client_ep, S + 1, C + 7, PSH | ACK, 6, "Hello?"),
          tcp(client_ep, server_ep, C + 7, S + 7, ACK),
          tcp(client_ep, server_ep, C + 7, S + 7, FIN | ACK),
          tcp(server_ep, client_ep, S + 7, C + 8, FIN | ACK),
          tcp(client_ep, server_ep, C + 8, S + 8, ACK)};
}

}  // namespace

TEST_CASE("the handshake is explained step by step with the options offered") {
  const auto notes = notes_for(echo_exchange());
  CHECK(contains(notes[0], "Handshake 1/3"));
  CHECK(contains(notes[0], "initial sequence number (ISN) of 1000"));
  CHECK(contains(notes[0], "consumes one sequence number"));
  CHECK(contains(notes[0], "MSS 65495"));
  CHECK(contains(notes[0], "window scale 7"));
  CHECK(contains(notes[0], "SACK permitted"));
  CHECK(contains(notes[0], "timestamps"));
  CHECK(contains(notes[0], "client is now SYN-SENT"));
  CHECK(contains(notes[1], "Handshake 2/3"));
  CHECK(contains(notes[1], "ack 1 acknowledges the client's SYN"));
  CHECK(contains(notes[1], "captured 1.00 ms after the SYN"));
  CHECK(contains(notes[1], "Both sides offered window scaling, so it is in use"));
  CHECK(contains(notes[2], "Handshake 3/3"));
  CHECK(contains(notes[2], "From the latest SYN to this ACK: 2.00 ms"));
}

TEST_CASE("data segments show the byte range, PSH and the next sequence number") {
  const auto notes = notes_for(echo_exchange());
  CHECK(contains(notes[3], "The client sends 6 bytes of data: \"Hello?\""));
  CHECK(contains(notes[3], "seq 1..6, so its next seq is 7"));
  CHECK(contains(notes[3], "PSH (push)"));
  CHECK(contains(notes[4], "A pure ACK (no data)"));
  CHECK(contains(notes[4], "everything up to byte 6 arrived; send 7 next"));
  CHECK(contains(notes[4], "It confirms packet #4, sent 1.00 ms earlier"));
  CHECK_FALSE(contains(notes[5], "piggybacked"));  // the data was already acknowledged by packet 5
  CHECK_FALSE(contains(notes[5], "ack"));  // a routine repeated ack on data is not worth a sentence
  CHECK(contains(notes[6], "It confirms packet #6"));
}

TEST_CASE("a piggybacked ACK is named as such") {
  const auto notes = notes_for({tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, S, C + 1, SYN | ACK),
                                tcp(client_ep, server_ep, C + 1, S + 1, ACK),
                                tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?"),
                                tcp(server_ep, client_ep, S + 1, C + 7, PSH | ACK, 6, "Hello?")});
  CHECK(contains(notes[4], "piggybacked ACK"));
  CHECK(contains(notes[4], "the client's bytes up to 6 arrived"));
}

TEST_CASE("teardown: who closed first, FIN's sequence number, each state with its meaning, TIME-WAIT") {
  const auto notes = notes_for(echo_exchange());
  CHECK(contains(notes[7], "The client closes first (FIN, seq 7)"));
  CHECK(contains(notes[7], "acknowledged with ack 8"));
  CHECK(contains(notes[7], "client goes ESTABLISHED → FIN-WAIT-1"));
  CHECK(contains(notes[7], "server goes ESTABLISHED → CLOSE-WAIT"));
  CHECK(contains(notes[8], "The server closes its side too (FIN, seq 7)"));
  CHECK(contains(notes[8], "Ack 8 acknowledges the client's FIN"));
  CHECK(contains(notes[8], "client goes FIN-WAIT-1 → TIME-WAIT (skipping FIN-WAIT-2"));
  CHECK(contains(notes[8], "60 s"));
  CHECK(contains(notes[8], "never shows on the wire"));
  CHECK(contains(notes[8], "server goes CLOSE-WAIT → LAST-ACK"));
  CHECK(contains(notes[9], "server goes LAST-ACK → CLOSED"));
}

TEST_CASE("RST: refused connection and abort are told apart") {
  const auto refused = notes_for({tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, 0, C + 1, RST | ACK)});
  CHECK(contains(refused[1], "refuses the connection: nothing listens on port 65432"));
  CHECK(contains(refused[1], "connection refused"));
  const auto abort = notes_for({tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, S, C + 1, SYN | ACK),
                                tcp(client_ep, server_ep, C + 1, S + 1, ACK), tcp(client_ep, server_ep, C + 1, S + 1, RST | ACK)});
  CHECK(contains(abort[3], "RST (reset): the client aborts the connection"));
  CHECK(contains(abort[3], "no TIME-WAIT"));
}

TEST_CASE("payload bytes from the wire are escaped, never written raw") {
  const std::string hostile = "\x1b[2J\x07hi\n\xff";
  const auto notes = notes_for({tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, static_cast<std::uint32_t>(hostile.size()), hostile)});
  CHECK(contains(notes[0], "\"\\x1b[2J\\x07hi\\n\\xff\""));
  for (char ch : notes[0]) CHECK((static_cast<unsigned char>(ch) >= 0x20 || ch == ' '));
}

TEST_CASE("absolute mode adds the raw numbers") {
  const auto notes = notes_for({tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, S, C + 1, SYN | ACK)}, true);
  CHECK(contains(notes[1], "(Raw numbers: seq 5000, ack 1001.)"));
}

TEST_CASE("UDP: the 8-byte header, no handshake, the echo") {
  const auto notes = notes_for({udp(v4(1, 41234), v4(1, 5005), "Hello?"), udp(v4(1, 5005), v4(1, 41234), "Hello?")});
  CHECK(contains(notes[0], "A UDP datagram from the client to the server, carrying 6 bytes: \"Hello?\""));
  CHECK(contains(notes[0], "source port 41234, destination port 5005, length 14 (8 of header + 6 of data)"));
  CHECK(contains(notes[0], "There was no handshake"));
  CHECK(contains(notes[0], "Nothing will acknowledge"));
  CHECK(contains(notes[1], "sends the same 6 bytes straight back, 1.00 ms after packet #1"));
}

TEST_CASE("application calls: the kernel's state is compared with the capture's") {
  Feed feed;
  for (const auto& p : echo_exchange()) feed(p);
  const auto conversations = feed.tracker.conversations();
  lab::timeline::AppEvent e;
  e.actor = lab::flow::Role::client;
  e.call = lab::timeline::AppCall::close;
  e.peer = "127.0.0.1:65432";
  e.kernel_state = "TIME-WAIT";
  std::string note;
  lab::annotate::annotate_app(e, conversations[0]->side(e.actor).state, conversations[0]->side(e.actor).state, note);
  CHECK(contains(note, "The client calls close()."));
  CHECK(contains(note, "The kernel reports the socket as TIME-WAIT, as the capture shows."));
  e.kernel_state = "ESTABLISHED";
  lab::annotate::annotate_app(e, conversations[0]->side(e.actor).state, conversations[0]->side(e.actor).state, note);
  CHECK(contains(note, "the capture shows TIME-WAIT so far"));
  e.call = lab::timeline::AppCall::send;
  e.data = "a\x1b";
  e.bytes = 2;
  e.kernel_state.clear();
  lab::annotate::annotate_app(e, std::nullopt, std::nullopt, note);
  CHECK(note == "The client calls send(\"a\\x1b\") — 2 bytes.");
}

TEST_CASE("ICMP port unreachable is tied to the UDP datagram it quotes") {
  Feed feed;
  const auto client = v4(1, 41234), server = v4(1, 5005);
  feed(udp(client, server, "Hello?"));  // packet 1: to a port where nobody listens
  // The quoted datagram: IPv4 header (20 bytes) + the UDP header's first 8 bytes.
  const std::vector<std::uint8_t> quote{
      0x45, 0x00, 0x00, 0x22,  // version 4, IHL 5, total length 34
      0x12, 0x34, 0x40, 0x00,  // id, DF
      0x40, 0x11, 0x00, 0x00,  // TTL 64, protocol 17 (UDP), checksum
      127, 0, 0, 1,            // source 127.0.0.1
      127, 0, 0, 1,            // destination 127.0.0.1
      0xA1, 0x12,              // source port 41234
      0x13, 0x8D,              // destination port 5005
      0x00, 0x0E, 0x00, 0x00,  // length 14, checksum
  };
  lab::decode::DecodedPacket icmp = udp(server, client, "");
  icmp.udp.reset();
  icmp.ipv4->protocol = lab::decode::ip_protocol::icmp;
  icmp.icmp = lab::decode::IcmpHeader{false, 3, 3, 0, 0, 0, true};
  icmp.payload = quote;
  icmp.payload_len = static_cast<std::uint32_t>(quote.size());
  const auto o = feed(icmp);
  REQUIRE(o.icmp.about != nullptr);
  CHECK(o.icmp.about_packet == 1);
  CHECK(o.icmp.about_sender == lab::flow::Role::client);
  lab::decode::Frame frame;
  std::string note;
  lab::annotate::annotate_packet({2, frame, icmp, o}, {}, note);
  CHECK(contains(note, "ICMP destination unreachable: nobody listens on the destination port."));
  CHECK(contains(note, "the UDP datagram of packet #1 (client side of UDP conversation 0)"));
  CHECK(contains(note, "Only a connected UDP socket hears of it"));
}

// Issue 9, item 10: a capture that starts at the SYN-ACK must not say scaling is off when the SYN-ACK offers it.
TEST_CASE("a SYN-ACK seen without its SYN that offers window scaling: both sides use it (RFC 7323 2.2)") {
  auto syn_ack = tcp(server_ep, client_ep, S, C + 1, SYN | ACK);
  syn_ack.tcp->options.window_scale = 7;
  const auto notes = notes_for({syn_ack, tcp(client_ep, server_ep, C + 1, S + 1, ACK)});
  CHECK(contains(notes[0], "a SYN-ACK may do only if the SYN did (RFC 7323, section 2.2): both sides use it"));
  CHECK(!contains(notes[0], "neither uses it"));
}

// Issue 9, item 12: the RST that refuses a SYN has raw seq 0; the note says so where the relative number shows 1.
TEST_CASE("a refused SYN: the RST's raw seq 0 is named, with RFC 9293's rule for it") {
  const auto notes = notes_for({tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, 0, C + 1, RST | ACK)});
  CHECK(contains(notes[1], "refuses the connection"));
  CHECK(contains(notes[1], "Its raw sequence number is 0, shown here as seq 1"));
  CHECK(contains(notes[1], "<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>"));
}

// A concept is explained in full once per run, then named with the packet where it was.
TEST_CASE("explained once: the second PSH and the second TIME-WAIT point back instead of repeating") {
  Feed feed;
  lab::annotate::Explained explained;
  std::vector<std::string> notes;
  for (const auto& p : echo_exchange()) {
    const auto o = feed(p);
    lab::decode::Frame frame;
    std::string note;
    lab::annotate::annotate_packet({feed.index, frame, p, o, &explained}, {}, note);
    notes.push_back(note);
  }
  CHECK(contains(notes[3], "PSH (push): the sender asks"));
  CHECK(contains(notes[5], "PSH (push), as at #4."));
  CHECK(!contains(notes[5], "the sender asks"));
}
