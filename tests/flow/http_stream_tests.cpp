// HTTP followed over TCP by the tracker: heads whole in one segment or split over several, bodies by Content-Length,
// chunked or the close, keep-alive and pipelining, retransmissions, gaps, and bytes that only look like HTTP.
#include <string>
#include <vector>

#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"

using namespace lab::test;
using lab::flow::HttpStop;
using lab::flow::Observation;
using lab::flow::Tracker;
using Body = lab::decode::HttpBodyLength;

namespace {

// A connection whose segments are written as the bytes each side sends; sequence numbers follow by themselves.
struct Connection {
  Tracker tracker;
  std::uint32_t packet = 0;
  std::uint32_t client_seq = 1000, server_seq = 5000;
  std::vector<std::string> kept;  // the payloads: observations may point at nothing of them, but packets do

  Connection() {
    send_raw(client_ep, server_ep, client_seq++, 0, SYN, "");
    send_raw(server_ep, client_ep, server_seq++, client_seq, SYN | ACK, "");
    send_raw(client_ep, server_ep, client_seq, server_seq, ACK, "");
  }
  Observation send_raw(const lab::flow::Endpoint& src, const lab::flow::Endpoint& dst, std::uint32_t seq,
                       std::uint32_t ack, std::uint8_t flags, std::string payload, std::uint32_t declared = 0) {
    kept.push_back(std::move(payload));
    const std::string& bytes = kept.back();
    const std::uint32_t len = declared ? declared : static_cast<std::uint32_t>(bytes.size());
    ++packet;
    return tracker.observe(packet, packet * 1000000, 54 + len, tcp(src, dst, seq, ack, flags, len, bytes));
  }
  Observation client(const std::string& bytes, std::uint8_t flags = ACK | PSH) {
    const Observation o = send_raw(client_ep, server_ep, client_seq, server_seq, flags, bytes);
    client_seq += static_cast<std::uint32_t>(bytes.size()) + ((flags & FIN) ? 1 : 0);
    return o;
  }
  Observation server(const std::string& bytes, std::uint8_t flags = ACK | PSH) {
    const Observation o = send_raw(server_ep, client_ep, server_seq, client_seq, flags, bytes);
    server_seq += static_cast<std::uint32_t>(bytes.size()) + ((flags & FIN) ? 1 : 0);
    return o;
  }
};

const std::string get_ping = "GET /ping HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n";
const std::string pong = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"pong\":true}";

}  // namespace

TEST_CASE("a request and its response, each in one segment") {
  Connection c;
  const Observation request = c.client(get_ping);
  REQUIRE(request.http.carries);
  REQUIRE(request.http.head_count == 1);
  const auto& q = request.http.heads[0];
  CHECK(q.is_request);
  CHECK(q.method.view() == "GET");
  CHECK(q.target.view() == "/ping");
  CHECK(q.version_minor == 1);
  CHECK(q.field_names.view() == "Host, User-Agent, Accept");
  CHECK(q.host.view() == "127.0.0.1:8080");
  CHECK(q.body == Body::none);
  CHECK(q.body_ends_here);
  CHECK(q.persistent);
  CHECK(q.head_segments == 1);
  CHECK(q.head_from_packet == request.tcp.packet_index);
  CHECK(q.head_bytes == get_ping.size());
  CHECK(q.number == 1);

  const Observation response = c.server(pong);
  REQUIRE(response.http.head_count == 1);
  const auto& r = response.http.heads[0];
  CHECK_FALSE(r.is_request);
  CHECK(r.status == 200);
  CHECK(r.reason.view() == "OK");
  CHECK(r.body == Body::content_length);
  CHECK(r.content_length == 13);
  CHECK(r.content_type.view() == "application/json");
  CHECK(r.body_ends_here);
  CHECK(r.answers_packet == 4);
  CHECK(r.answers_method.view() == "GET");
  CHECK(r.answers_target.view() == "/ping");
  CHECK(response.http.body_bytes == 13);
  CHECK(response.http.body_end_count == 0);  // the body ended with its head: said there

  const Observation fin = c.client("", ACK | FIN);
  REQUIRE(fin.http.close.known);
  CHECK(fin.http.close.requests == 1);
  CHECK(fin.http.close.responses == 1);
  CHECK(fin.http.close.unanswered == 0);
  CHECK_FALSE(fin.http.close.own_close);
  CHECK(fin.http.close.asked_close_packet == 0);
}

TEST_CASE("a head split over segments is read once whole, at the segment that completes it") {
  Connection c;
  for (std::size_t cut = 1; cut < get_ping.size(); cut += 7) {
    Connection k;
    const Observation first = k.client(get_ping.substr(0, cut));
    CHECK(first.http.head_count == 0);
    const Observation second = k.client(get_ping.substr(cut));
    REQUIRE(second.http.head_count == 1);
    CHECK(second.http.heads[0].method.view() == "GET");
    CHECK(second.http.heads[0].head_segments == 2);
    CHECK(second.http.heads[0].head_from_packet == first.tcp.packet_index);
  }
  // Byte by byte: the start line is whole after its CRLF, and from there each segment says a head is under way.
  for (std::size_t i = 0; i + 1 < get_ping.size(); ++i) {
    const Observation o = c.client(get_ping.substr(i, 1));
    CHECK(o.http.head_count == 0);
    if (i >= get_ping.find('\n')) CHECK(o.http.head_in_progress_from == 4);
  }
  const Observation last = c.client(get_ping.substr(get_ping.size() - 1));
  REQUIRE(last.http.head_count == 1);
  CHECK(last.http.heads[0].head_segments == get_ping.size());
  CHECK(last.http.heads[0].head_bytes == get_ping.size());
}

TEST_CASE("a body of known length over several segments, and the next response after it") {
  Connection c;
  c.client(get_ping);
  c.client(get_ping);  // pipelined: sent before the first response
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
  const Observation h = c.server(head + "abcd");
  REQUIRE(h.http.head_count == 1);
  CHECK_FALSE(h.http.heads[0].body_ends_here);
  CHECK(h.http.body_of_packet == h.tcp.packet_index);
  CHECK(h.http.body_so_far == 4);
  CHECK(h.http.body_expected == 10);
  const Observation middle = c.server("efg");
  CHECK(middle.http.body_bytes == 3);
  CHECK(middle.http.body_so_far == 7);
  const Observation end = c.server("hij" + pong);  // the body's end and the second response
  REQUIRE(end.http.body_end_count == 1);
  CHECK(end.http.body_ends[0].head_packet == h.tcp.packet_index);
  CHECK(end.http.body_ends[0].bytes == 10);
  CHECK(end.http.body_ends[0].segments == 3);
  REQUIRE(end.http.head_count == 1);
  CHECK(end.http.heads[0].answers_packet == 5);  // the second request
  CHECK(end.http.heads[0].number == 2);
  CHECK(end.http.heads[0].body_ends_here);
}

TEST_CASE("pipelined requests in one segment, answered in order") {
  Connection c;
  const Observation both = c.client(get_ping + get_ping);
  REQUIRE(both.http.head_count == 2);
  CHECK(both.http.heads[1].unanswered_before == 1);
  CHECK(both.http.heads[1].number == 2);
  const Observation answers = c.server(pong + pong);
  REQUIRE(answers.http.head_count == 2);
  CHECK(answers.http.heads[0].answers_packet == 4);
  CHECK(answers.http.heads[1].answers_packet == 4);
}

TEST_CASE("a chunked body, cut anywhere") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string body = "4\r\nWiki\r\n7\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\n\r\n";
  for (std::size_t cut = 0; cut <= body.size(); cut += 5) {
    Connection c;
    c.client(get_ping);
    const Observation h = c.server(head + body.substr(0, cut));
    REQUIRE(h.http.head_count == 1);
    CHECK(h.http.heads[0].body == Body::chunked);
    CHECK(h.http.heads[0].transfer_encoding.view() == "chunked");
    if (cut == body.size()) {
      CHECK(h.http.heads[0].body_ends_here);
      continue;
    }
    const Observation rest = c.server(body.substr(cut));
    REQUIRE(rest.http.body_end_count == 1);
    CHECK(rest.http.body_ends[0].how == Body::chunked);
    CHECK(rest.http.body_ends[0].data_bytes == 22);
    CHECK(rest.http.body_ends[0].chunks == 3);
    CHECK(rest.http.body_ends[0].bytes == body.size());
  }
}

TEST_CASE("a body that ends when the server closes") {
  Connection c;
  c.client("GET / HTTP/1.0\r\n\r\n");
  const Observation h = c.server("HTTP/1.0 200 OK\r\n\r\nhello ");
  REQUIRE(h.http.head_count == 1);
  CHECK(h.http.heads[0].body == Body::until_close);
  CHECK_FALSE(h.http.heads[0].persistent);
  c.server("world");
  const Observation fin = c.server("", ACK | FIN);
  REQUIRE(fin.http.close.known);
  CHECK(fin.http.close.body_until_close);
  CHECK(fin.http.close.own_close);
  CHECK(fin.http.close.own_ending == lab::flow::HttpEnding::until_close);
  CHECK(fin.http.close.asked_ending == lab::flow::HttpEnding::http10);  // the request: HTTP/1.0, no keep-alive
  REQUIRE(fin.http.body_end_count == 1);
  CHECK(fin.http.body_ends[0].how == Body::until_close);
  CHECK(fin.http.body_ends[0].bytes == 11);
}

TEST_CASE("Connection: close from the client, and the server's FIN that follows") {
  Connection c;
  const Observation q = c.client("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  REQUIRE(q.http.head_count == 1);
  CHECK(q.http.heads[0].connection.view() == "close");
  CHECK_FALSE(q.http.heads[0].persistent);
  c.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  const Observation fin = c.server("", ACK | FIN);
  REQUIRE(fin.http.close.known);
  CHECK(fin.http.close.own_close);
  CHECK(fin.http.close.asked_close_packet == q.tcp.packet_index);
  CHECK(fin.http.close.asked_ending == lab::flow::HttpEnding::connection_close);
  CHECK(fin.http.close.own_ending == lab::flow::HttpEnding::connection_close);
  CHECK_FALSE(fin.http.close.mid_message);
}

TEST_CASE("a response to HEAD has no body, whatever its Content-Length says") {
  Connection c;
  c.client("HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  const Observation r = c.server("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n");
  REQUIRE(r.http.head_count == 1);
  CHECK(r.http.heads[0].body == Body::none);
  CHECK(r.http.heads[0].content_length_sent);
  CHECK(r.http.heads[0].body_ends_here);
  const Observation next = c.server(pong);  // read as the next response, not as 13 bytes of body
  REQUIRE(next.http.head_count == 1);
  CHECK(next.http.heads[0].status == 200);
}

TEST_CASE("a retransmission repeats bytes already read, and says which head it repeats") {
  Connection c;
  const Observation first = c.client(get_ping);
  const Observation again = c.send_raw(client_ep, server_ep, c.client_seq - static_cast<std::uint32_t>(get_ping.size()),
                                       c.server_seq, ACK | PSH, get_ping);
  CHECK(again.http.copy);
  CHECK(again.http.copy_of_head == first.tcp.packet_index);
  CHECK(again.http.head_count == 0);
}

TEST_CASE("a gap in a body of known length costs nothing; a gap before a head stops the following") {
  Connection c;
  c.client(get_ping);
  c.server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
  c.server_seq += 5;  // five body bytes the capture never saw
  const Observation after_gap = c.server("hij");
  REQUIRE(after_gap.http.body_end_count == 1);
  CHECK(after_gap.http.body_ends[0].bytes == 10);
  CHECK(after_gap.http.stopped == HttpStop::none);

  c.client_seq += 4;  // the start of the next request is missing
  const Observation lost = c.client(get_ping);
  CHECK(lost.http.stopped == HttpStop::gap);
  CHECK(lost.http.head_count == 0);
  const Observation later = c.client(get_ping);
  CHECK_FALSE(later.http.carries);
}

TEST_CASE("bytes cut by the snap length: a body skips them, a head cannot") {
  Connection c;
  c.client(get_ping);
  // 40 bytes declared, only the head and 2 body bytes captured.
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n";
  const Observation o = c.send_raw(server_ep, client_ep, c.server_seq, c.client_seq, ACK | PSH, head + "ab",
                                   static_cast<std::uint32_t>(head.size() + 20));
  REQUIRE(o.http.head_count == 1);
  CHECK(o.http.heads[0].body_ends_here);
  CHECK(o.http.body_bytes == 20);
}

TEST_CASE("malformed HTTP after a good start is named, and the following stops") {
  Connection c;
  const Observation o = c.client("GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
  CHECK(o.http.stopped == HttpStop::malformed);
  CHECK_FALSE(o.http.error.empty());
  CHECK(o.http.head_count == 0);
}

TEST_CASE("bytes that only look like HTTP are left alone") {
  for (const std::string first : {"Hello?", "Hi there\n", "Hi", "\x16\x03\x01\x00\xa5\x01", "GET"}) {
    Connection c;
    const Observation a = c.client(first);
    const Observation b = c.server(first);
    const Observation fin1 = c.client("", ACK | FIN);
    const Observation fin2 = c.server("", ACK | FIN);
    CHECK_FALSE(a.http.carries);
    CHECK_FALSE(b.http.carries);
    CHECK_FALSE(fin1.http.close.known);
    CHECK_FALSE(fin2.http.close.known);
  }
}

TEST_CASE("a 100 Continue is interim: the final response answers the same request") {
  Connection c;
  const Observation q = c.client("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  REQUIRE(q.http.head_count == 1);
  CHECK_FALSE(q.http.heads[0].body_ends_here);
  const Observation cont = c.server("HTTP/1.1 100 Continue\r\n\r\n");
  REQUIRE(cont.http.head_count == 1);
  CHECK(cont.http.heads[0].interim);
  const Observation body = c.client("abc");
  REQUIRE(body.http.body_end_count == 1);
  CHECK(body.http.body_ends[0].is_request);
  const Observation r = c.server(pong);
  REQUIRE(r.http.head_count == 1);
  CHECK(r.http.heads[0].answers_packet == q.tcp.packet_index);
  CHECK(r.http.heads[0].number == 1);
}

TEST_CASE("after a 2xx to CONNECT the bytes are a tunnel's") {
  Connection c;
  c.client("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  const Observation r = c.server("HTTP/1.1 200 Connection established\r\n\r\n");
  REQUIRE(r.http.head_count == 1);
  CHECK(r.http.heads[0].body == Body::tunnel);
  CHECK(r.http.stopped == HttpStop::tunnel);
  const Observation tls = c.client("\x16\x03\x01\x00\x05hello");
  CHECK_FALSE(tls.http.carries);
}
