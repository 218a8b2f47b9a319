// The HTTP client against the HTTP server, both on one io_context over 127.0.0.1: responses, connections, and
// who closes first.
#include <sys/socket.h>
#include <sys/time.h>

#include <optional>
#include <thread>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "tests/support/catch.hpp"
#include "web/http_messages.hpp"
#include "web/http_ping.hpp"

using namespace lab::web;
using lab::echo::Actor;
using lab::echo::EchoEvent;
using lab::echo::EventKind;

namespace {

struct ClientRun {
  asio::io_context io;
  std::vector<EchoEvent> events;
  std::optional<HttpClientResult> result;
  std::uint16_t port = 0;

  void run(HttpClientOptions options) {
    auto sink = [this](const EchoEvent& e) { events.push_back(e); };
    HttpPingServer server(io, {}, sink);
    options.port = port = server.port();
    start_http_client(io, options, sink, [this](const HttpClientResult& r) { result = r; });
    // Bounded: until the client is done and the server has closed its side of every connection, or 5 s.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!(result && count(Actor::server, EventKind::close) >= static_cast<std::size_t>(result->connections)) &&
           std::chrono::steady_clock::now() < deadline) {
      if (io.run_one_until(deadline) == 0) break;
    }
  }
  std::size_t count(Actor actor, EventKind kind) const {
    std::size_t n = 0;
    for (const EchoEvent& e : events) n += e.actor == actor && e.kind == kind;
    return n;
  }
  // The order of the shutdown() and close() calls: "client close", "server close"... (the server's listening
  // socket is not closed here: the server is destroyed, which reports nothing).
  std::vector<std::string> enders() const {
    std::vector<std::string> out;
    for (const EchoEvent& e : events)
      if (e.kind == EventKind::close || e.kind == EventKind::shutdown)
        out.push_back(std::string(lab::echo::actor_name(e.actor)) + " " + lab::echo::event_kind_name(e.kind));
    return out;
  }
};

}  // namespace

TEST_CASE("HTTP client: keep-alive, three requests on one connection, and the client closes first") {
  ClientRun run;
  run.run({.requests = 3, .keep_alive = true});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  CHECK(run.result->error.empty());
  CHECK(run.result->connections == 1);
  REQUIRE(run.result->responses.size() == 3);
  for (const auto& r : run.result->responses) {
    CHECK(r.status == 200);
    CHECK(r.body_start == pong_body);
    CHECK(r.body_bytes == std::string_view(pong_body).size());
    CHECK(r.connection == 0);
  }
  CHECK(run.count(Actor::client, EventKind::connect) == 1);
  CHECK(run.count(Actor::server, EventKind::accept) == 1);
  CHECK(run.count(Actor::client, EventKind::send) == 3);
  CHECK(run.count(Actor::server, EventKind::eof) == 1);  // the client's FIN reached the server
  CHECK(run.enders() == std::vector<std::string>{"client close", "server close"});
}

TEST_CASE("HTTP client: without keep-alive, one connection per request, and the server closes each first") {
  ClientRun run;
  run.run({.requests = 2, .keep_alive = false});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  CHECK(run.result->connections == 2);
  REQUIRE(run.result->responses.size() == 2);
  CHECK(run.result->responses[1].connection == 1);
  CHECK(run.count(Actor::client, EventKind::eof) == 2);  // each time, the server's FIN reached the client
  // The server ends each first: shutdown() (its FIN), then the client's close() after reading it, then the
  // server's close() once the client's FIN came.
  CHECK(run.enders() == std::vector<std::string>{"server shutdown", "client close", "server close",
                                                 "server shutdown", "client close", "server close"});
  // Each request asked the server to close: an event keeps only the first bytes, so its length says it.
  const std::string host = "127.0.0.1:" + std::to_string(run.port);
  for (const EchoEvent& e : run.events) {
    if (e.actor == Actor::client && e.kind == EventKind::send) {
      CHECK(e.bytes == get_request_bytes(ping_path, host, "", true).size());
      CHECK(e.bytes != get_request_bytes(ping_path, host, "", false).size());
    }
  }
}

TEST_CASE("HTTP client: a path the server does not have is 404, not a failure of the client") {
  ClientRun run;
  run.run({.target = "/missing"});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  REQUIRE(run.result->responses.size() == 1);
  CHECK(run.result->responses[0].status == 404);
}

TEST_CASE("HTTP client: nobody listening is one line") {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    HttpPingServer server(io, {}, {});
    port = server.port();
  }  // closed again: nothing listens there now
  std::optional<HttpClientResult> result;
  start_http_client(io, {.port = port}, {}, [&](const HttpClientResult& r) { result = r; });
  io.run_for(std::chrono::seconds(5));
  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error.starts_with("connection refused"));
}

namespace {

// A server that answers one request with fixed bytes and then closes: the bodies lab's own server never sends.
// It runs on a thread of its own with blocking calls, each bounded by SO_RCVTIMEO.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply)
      : acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), reply_(std::move(reply)) {
    thread_ = std::thread([this] { serve_one(); });
  }
  ~ScriptedServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve_one() {
    asio::error_code error;
    asio::ip::tcp::socket peer(io_);
    acceptor_.accept(peer, error);
    if (error) return;
    const timeval limit{3, 0};
    ::setsockopt(peer.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    std::string request;
    char data[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
      const std::size_t n = peer.read_some(asio::buffer(data), error);
      if (error) return;
      request.append(data, n);
    }
    asio::write(peer, asio::buffer(reply_), error);
    peer.close();
  }
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::string reply_;
  std::thread thread_;
};

HttpClientResult call(const std::string& reply) {
  ScriptedServer server(reply);
  asio::io_context io;
  std::optional<HttpClientResult> result;
  start_http_client(io, {.port = server.port(), .keep_alive = true}, {}, [&](const HttpClientResult& r) { result = r; });
  io.run_for(std::chrono::seconds(5));
  return result.value_or(HttpClientResult{.ok = false, .error = "the client did not finish"});
}

}  // namespace

TEST_CASE("HTTP client: a chunked body is read to its last chunk") {
  const auto result = call("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n");
  INFO(result.error);
  CHECK(result.ok);
  REQUIRE(result.responses.size() == 1);
  CHECK(result.responses[0].body_bytes == 11);
}

TEST_CASE("HTTP client: a body without a length ends where the server closes") {
  const auto result = call("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthe body, until the close");
  INFO(result.error);
  CHECK(result.ok);
  REQUIRE(result.responses.size() == 1);
  CHECK(result.responses[0].body_start == "the body, until the close");
  CHECK(result.responses[0].body_bytes == 25);
}

TEST_CASE("HTTP client: a response that is not HTTP, or cut short, is one line") {
  const auto garbage = call("SSH-2.0-OpenSSH_9.2\r\n");
  CHECK_FALSE(garbage.ok);
  CHECK(garbage.error == "the server's answer is not HTTP");
  const auto cut = call("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this");
  CHECK_FALSE(cut.ok);
  CHECK(cut.error == "the server closed the connection before the response body was complete");
}
