// The HTTP server, live on 127.0.0.1: what it answers, on how many connections, and what it reports.
#include <thread>

#include "tests/support/catch.hpp"
#include "tests/web/web_test_support.hpp"

using namespace lab::web;
using namespace lab::web::test;

namespace {

bool has_field(const Response& r, std::string_view line) { return r.head.find(std::string(line) + "\r\n") != std::string::npos; }

}  // namespace

TEST_CASE("HTTP server: GET /ping is 200 with the JSON body, its type and its length") {
  ServerThread server;
  RawClient client(server.port());
  client.send(get("/ping"));
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].head.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(responses[0].body == pong_body);
  CHECK(has_field(responses[0], "Content-Type: application/json"));
  CHECK(has_field(responses[0], "Content-Length: " + std::to_string(std::string_view(pong_body).size())));
  CHECK_FALSE(responses[0].closes);
}

TEST_CASE("HTTP server: HEAD /ping has the same Content-Length and no body") {
  ServerThread server;
  RawClient client(server.port());
  client.send("HEAD /ping HTTP/1.1\r\nHost: test\r\n\r\n" + get("/ping"));
  const auto head = client.responses(1, "HEAD");
  REQUIRE(head.size() == 1);
  CHECK(head[0].status == 200);
  CHECK(head[0].body.empty());
  CHECK(has_field(head[0], "Content-Length: " + std::to_string(std::string_view(pong_body).size())));
  // Had the HEAD answer carried a body, the next response would not start right after its head.
  const auto get_after = client.responses(1);
  REQUIRE(get_after.size() == 1);
  CHECK(get_after[0].head.starts_with("HTTP/1.1 200 OK"));
  CHECK(get_after[0].body == pong_body);
}

TEST_CASE("HTTP server: another path is 404, another method 405 with Allow, and the connection stays open") {
  ServerThread server;
  RawClient client(server.port());
  client.send(get("/nothing"));
  client.send("POST /ping HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello");
  client.send(get("/ping?verbose=1"));
  const auto responses = client.responses(3);
  REQUIRE(responses.size() == 3);
  CHECK(responses[0].status == 404);
  CHECK(responses[1].status == 405);
  CHECK(has_field(responses[1], "Allow: GET, HEAD"));
  CHECK(responses[2].status == 200);  // the POST's body was read and discarded: the next request was found
  server.finish();
  REQUIRE(server.served().size() == 3);
  CHECK(server.served()[1].method == "POST");
}

TEST_CASE("HTTP server: a chunked request body is read and discarded") {
  ServerThread server;
  RawClient client(server.port());
  client.send("PUT /ping HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + get("/ping"));
  const auto responses = client.responses(2);
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].status == 405);
  CHECK(responses[1].status == 200);
}

TEST_CASE("HTTP server: a malformed request is 400, then the server closes") {
  ServerThread server;
  SECTION("not HTTP at all") {
    RawClient client(server.port());
    client.send("hello there\r\n\r\n");
    const auto responses = client.responses(1);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 400);
    CHECK(responses[0].closes);
    CHECK(client.server_closed());
  }
  SECTION("HTTP/1.1 without Host (RFC 9112 section 3.2)") {
    RawClient client(server.port());
    client.send("GET /ping HTTP/1.1\r\n\r\n");
    const auto responses = client.responses(1);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 400);
    CHECK(client.server_closed());
  }
}

TEST_CASE("HTTP server: a request body of unknown length (Transfer-Encoding not ending in chunked) is 400") {
  ServerThread server;
  RawClient client(server.port());
  client.send("POST /ping HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\n");
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].status == 400);
  CHECK(client.server_closed());
}

TEST_CASE("HTTP server: a body over the limit is 413, then the server closes") {
  HttpServerOptions options;
  options.max_body_bytes = 100;
  ServerThread server(options);
  RawClient client(server.port());
  client.send("POST /ping HTTP/1.1\r\nHost: test\r\nContent-Length: 101\r\n\r\n");
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].status == 413);
  CHECK(client.server_closed());
}

TEST_CASE("HTTP server: a head over the limit is 431, then the server closes") {
  HttpServerOptions options;
  options.max_head_bytes = 1024;
  ServerThread server(options);
  RawClient client(server.port());
  client.send("GET /ping HTTP/1.1\r\nHost: test\r\nX-Long: " + std::string(2000, 'a') + "\r\n\r\n");
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].status == 431);
  CHECK(client.server_closed());
}

TEST_CASE("HTTP server: keep-alive, three requests on one connection") {
  ServerThread server;
  RawClient client(server.port());
  for (int i = 0; i < 3; ++i) {
    client.send(get("/ping"));
    const auto responses = client.responses(1);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 200);
  }
  client.close();
  server.finish();
  CHECK(server.count(EventKind::accept) == 1);
  CHECK(server.count(EventKind::send) == 3);
  CHECK(server.served().size() == 3);
}

TEST_CASE("HTTP server: pipelined requests in one write are answered in order") {
  ServerThread server;
  RawClient client(server.port());
  client.send(get("/ping") + get("/missing") + "HEAD /ping HTTP/1.1\r\nHost: test\r\n\r\n" + get("/ping"));
  const auto first_two = client.responses(2);
  REQUIRE(first_two.size() == 2);
  CHECK(first_two[0].status == 200);
  CHECK(first_two[1].status == 404);
  const auto head = client.responses(1, "HEAD");
  REQUIRE(head.size() == 1);
  CHECK(head[0].body.empty());
  const auto last = client.responses(1);
  REQUIRE(last.size() == 1);
  CHECK(last[0].body == pong_body);
}

TEST_CASE("HTTP server: Connection: close, and HTTP/1.0 without keep-alive, make the server close first") {
  ServerThread server;
  for (const std::string& request : {get("/ping", "Connection: close\r\n"), std::string("GET /ping HTTP/1.0\r\n\r\n")}) {
    INFO(request);
    RawClient client(server.port());
    client.send(request);
    const auto responses = client.responses(1);
    REQUIRE(responses.size() == 1);
    CHECK(responses[0].status == 200);
    CHECK(responses[0].closes);
    CHECK(client.server_closed());
  }
  RawClient kept(server.port());  // HTTP/1.0 asking for keep-alive is kept open
  kept.send("GET /ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /ping HTTP/1.0\r\n\r\n");
  const auto responses = kept.responses(2);
  REQUIRE(responses.size() == 2);
  CHECK_FALSE(responses[0].closes);
  CHECK(responses[1].closes);
}

TEST_CASE("HTTP server: after Connection: close it reads what still comes and throws it away, rather than reset") {
  ServerThread server;
  RawClient client(server.port());
  client.send(get("/ping", "Connection: close\r\n"));
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].closes);
  CHECK(client.server_closed());  // the server's FIN: it has shut down its sending side...
  client.send(get("/ping"));      // ...yet what comes now is read, not left unread for close() to answer with RST
  CHECK(server.wait_for(EventKind::recv, 2));
  client.close();
  CHECK(server.wait_for(EventKind::close, 1));
  server.finish();
  std::size_t thrown_away = 0;
  for (const EchoEvent& e : server.events()) {
    CHECK_FALSE(e.resets);
    thrown_away += e.kind == EventKind::recv && e.detail == "thrown away";
  }
  CHECK(thrown_away == 1);
  CHECK(server.served().size() == 1);
}

TEST_CASE("HTTP server: a request split byte by byte across writes is read whole") {
  ServerThread server;
  RawClient client(server.port());
  const std::string request = get("/ping");
  for (char byte : request) {
    client.send(std::string(1, byte));
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // each byte its own segment, most likely its own recv()
  }
  const auto responses = client.responses(1);
  REQUIRE(responses.size() == 1);
  CHECK(responses[0].body == pong_body);
  client.close();
  server.finish();
  CHECK(server.count(EventKind::recv) > 1);
  std::size_t received = 0;
  for (const EchoEvent& e : server.events()) received += e.kind == EventKind::recv ? e.bytes : 0;
  CHECK(received == request.size());
}

TEST_CASE("HTTP server: an idle keep-alive connection is closed by the server after the timeout") {
  HttpServerOptions options;
  options.idle_timeout = std::chrono::milliseconds(200);
  ServerThread server(options);
  RawClient client(server.port());
  client.send(get("/ping"));
  REQUIRE(client.responses(1).size() == 1);
  const auto before = std::chrono::steady_clock::now();
  CHECK(client.server_closed());  // within the client's 3 s recv limit
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(150));
  server.finish();
  bool said_idle = false;
  for (const EchoEvent& e : server.events()) said_idle |= e.kind == EventKind::close && e.detail.find("idle") != std::string::npos;
  CHECK(said_idle);
}

TEST_CASE("HTTP server: every call is reported as the echo server reports it, with the kernel's state") {
  ServerThread server;
  {
    RawClient client(server.port());
    client.send(get("/ping", "Connection: close\r\n"));
    REQUIRE(client.responses(1).size() == 1);
    CHECK(client.server_closed());
  }  // the client closes: its FIN lets the server close too
  CHECK(server.wait_for(EventKind::close, 1));
  server.finish();
  std::vector<std::string> kinds;
  for (const EchoEvent& e : server.events()) {
    kinds.emplace_back(lab::echo::event_kind_name(e.kind));
    CHECK(e.actor == Actor::server);
  }
  // listen, the connection's accept, recv, send; shutdown (the server's FIN first), the client's FIN (eof), close;
  // and the listening socket's close at stop().
  CHECK(kinds == std::vector<std::string>{"listen", "accept", "recv", "send", "shutdown", "eof", "close", "close"});
  const auto& events = server.events();
  CHECK(events[0].kernel_state == "LISTEN");
  CHECK(events[1].kernel_state == "ESTABLISHED");
  CHECK_FALSE(events[1].peer.empty());
  CHECK(events[2].data.starts_with("GET /ping HTTP/1.1"));
  CHECK(events[3].data.starts_with("HTTP/1.1 200 OK"));
  CHECK(events[3].bytes > events[3].data.size() - 1);
  CHECK(events[4].kernel_state == "ESTABLISHED");  // as the server calls shutdown()
  // Once the client's FIN has come too the connection is in TIME-WAIT, which Linux keeps apart from the socket:
  // TCP_INFO on the descriptor then says CLOSED. Either way the kernel tells a state.
  CHECK((events[5].kernel_state == "TIME-WAIT" || events[5].kernel_state == "CLOSED"));
  CHECK_FALSE(events[6].resets);
}
