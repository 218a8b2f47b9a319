// Live TCP tests of how a connection ends (ServerOptions::close, ClientOptions::close): who closes first,
// RST instead of FIN, a half-close, a close at the same instant. Each checks the events of both sides.
#include <chrono>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "echo/echo.hpp"
#include "tests/echo/echo_test_support.hpp"
#include "tests/support/catch.hpp"

using namespace lab::echo;
using namespace lab::echo::test;

namespace {

using Kinds = std::vector<std::string>;

std::int64_t ns_between(const EchoEvent& a, const EchoEvent& b) { return std::llabs(a.time_ns - b.time_ns); }

}  // namespace

TEST_CASE("TCP close: the server closes first, the client's recv() returns 0") {
  OneClientRun run;
  run.run({.close = ServerClose::first}, {.close = ClientClose::after_server});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  const EventLog& log = run.log;

  CHECK(log.kinds(Actor::server) == Kinds{"listen", "accept", "recv", "send", "close"});
  CHECK(log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "recv", "eof", "close"});
  CHECK(log.first(Actor::server, EventKind::close).kernel_state == "ESTABLISHED");  // nothing came from the client
  CHECK(log.first(Actor::client, EventKind::eof).kernel_state == "CLOSE-WAIT");     // the server's FIN came
  CHECK(log.first(Actor::client, EventKind::close).kernel_state == "CLOSE-WAIT");
  CHECK(log.first(Actor::server, EventKind::close).time_ns <= log.first(Actor::client, EventKind::eof).time_ns);
}

TEST_CASE("TCP close: a server that closes first leaves a second message without its echo") {
  OneClientRun run;
  run.run({.close = ServerClose::first}, {.messages = {"Hello?", "again"}, .close = ClientClose::after_server});
  REQUIRE(run.result);
  CHECK_FALSE(run.result->ok);
  INFO(run.result->error);
  // The FIN is already in the client's receive queue, so recv() returns 0 before the RST the server's
  // kernel sends back for "again" can matter.
  CHECK(run.result->error == "the server closed the connection after echoing 0 of 5 bytes");
  const Kinds kinds = run.log.kinds(Actor::client);
  REQUIRE(kinds.size() >= 2);
  CHECK(kinds.back() == "close");
}

TEST_CASE("TCP close: the client waiting for a server that never closes times out") {
  OneClientRun run;
  run.run({}, {.reply_timeout = 200ms, .close = ClientClose::after_server});
  REQUIRE(run.result);
  CHECK_FALSE(run.result->ok);
  CHECK(run.result->error == "the server did not close the connection within 200 ms");
  CHECK(run.log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "recv", "timeout", "close"});
}

TEST_CASE("TCP close: the server closes with data unread, the kernel resets the connection") {
  OneClientRun run;
  run.run({.close = ServerClose::unread}, {});
  REQUIRE(run.result);
  CHECK_FALSE(run.result->ok);
  CHECK(run.result->error == "connection reset by the server");
  const EventLog& log = run.log;

  CHECK(log.kinds(Actor::server) == Kinds{"listen", "accept", "close"});
  CHECK(log.first(Actor::server, EventKind::close).detail == "closing with 6 unread bytes in the receive buffer");
  CHECK(log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "error", "close"});
  const EchoEvent& error = log.first(Actor::client, EventKind::error);
  CHECK(error.detail == "recv(): Connection reset by peer");
  CHECK(error.kernel_state == "CLOSED");  // a RST ends the connection at once: no FIN-WAIT, no TIME-WAIT
}

TEST_CASE("TCP close: the client aborts with SO_LINGER 0, the server's recv() sees the reset") {
  OneClientRun run;
  run.run({}, {.close = ClientClose::abort});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  const EventLog& log = run.log;

  CHECK(log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "recv", "close"});
  CHECK(log.first(Actor::client, EventKind::close).detail == "SO_LINGER 0: abortive close");
  CHECK(log.kinds(Actor::server) == Kinds{"listen", "accept", "recv", "send", "error", "close"});
  const EchoEvent& error = log.first(Actor::server, EventKind::error);
  CHECK(error.detail == "recv(): Connection reset by peer");
  CHECK(error.kernel_state == "CLOSED");
}

TEST_CASE("TCP close: a half-close, the server echoes after the client's FIN") {
  OneClientRun run;
  const std::vector<std::string> messages{"Hello?", "and more", large_message()};
  run.run({}, {.messages = messages, .close = ClientClose::half_close});
  REQUIRE(run.result);
  INFO(run.result->error);
  CHECK(run.result->ok);
  const EventLog& log = run.log;
  const std::string all = messages[0] + messages[1] + messages[2];

  // Every send, then shutdown, then the server's FIN; the echoes are read all along, the first ones
  // while the large message is still being sent.
  const Kinds kinds = log.kinds(Actor::client);
  REQUIRE(kinds.size() >= 9);
  CHECK(Kinds(kinds.begin(), kinds.begin() + 3) == Kinds{"connect", "connected", "send"});
  Kinds without_recv;
  for (const std::string& kind : kinds) {
    if (kind != "recv") without_recv.push_back(kind);
  }
  CHECK(without_recv == Kinds{"connect", "connected", "send", "send", "send", "shutdown", "eof", "close"});
  CHECK(kinds[kinds.size() - 3] == "recv");
  CHECK(kinds.back() == "close");
  CHECK(log.carried(Actor::client, EventKind::recv, all));

  CHECK(log.first(Actor::client, EventKind::shutdown).kernel_state == "ESTABLISHED");
  CHECK(log.first(Actor::server, EventKind::eof).kernel_state == "CLOSE-WAIT");  // the server can still send
  // Both FINs are done, ours first: the connection waits in TIME-WAIT, but Linux hands TIME-WAIT to a
  // small stand-in of its own, and the socket the program holds already reads CLOSED.
  CHECK(log.first(Actor::client, EventKind::eof).kernel_state == "CLOSED");
  CHECK(log.count(Actor::server, EventKind::error) == 0);
  CHECK(log.carried(Actor::server, EventKind::send, all));
}

TEST_CASE("TCP close: client and server close together") {
  OneClientRun run;
  const auto close_together = make_close_together(run.io, 1000ms);
  run.run({.close = ServerClose::together, .close_together = close_together},
          {.close = ClientClose::together, .close_together = close_together});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  const EventLog& log = run.log;

  CHECK(log.kinds(Actor::server) == Kinds{"listen", "accept", "recv", "send", "close"});
  CHECK(log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "recv", "close"});
  // Both closed at once, not one after a wait.
  CHECK(ns_between(log.first(Actor::server, EventKind::close), log.first(Actor::client, EventKind::close)) <
        50'000'000);
}

TEST_CASE("TCP close: a server waiting to close together with nobody closes alone after the wait limit") {
  OneClientRun run;
  const auto close_together = make_close_together(run.io, 200ms);
  const auto start = std::chrono::steady_clock::now();
  run.run({.close = ServerClose::together, .close_together = close_together}, {});
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(run.result);
  CHECK(run.result->ok);  // the client closed normally, without waiting

  CHECK(run.log.kinds(Actor::server) == Kinds{"listen", "accept", "recv", "send", "timeout", "close"});
  CHECK(run.log.first(Actor::server, EventKind::timeout).detail ==
        "the client did not come to close within 200 ms: closing alone");
  CHECK(waited >= 200ms);
  CHECK(waited < 2000ms);
}

TEST_CASE("TCP close: a client waiting to close together with nobody fails after the wait limit") {
  OneClientRun run;
  const auto close_together = make_close_together(run.io, 200ms);
  run.run({}, {.close = ClientClose::together, .close_together = close_together});
  REQUIRE(run.result);
  CHECK_FALSE(run.result->ok);
  CHECK(run.result->error == "the server did not come to close together within 200 ms");
  CHECK(run.log.kinds(Actor::client) == Kinds{"connect", "connected", "send", "recv", "timeout", "close"});
}

TEST_CASE("TCP close: closing together needs a CloseTogether") {
  asio::io_context io;
  CHECK_THROWS_AS(TcpEchoServer(io, {.close = ServerClose::together}, nullptr), std::invalid_argument);
  std::optional<ClientResult> result;
  start_tcp_echo_client(io, {.port = unused_tcp_port(), .close = ClientClose::together}, nullptr,
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });
  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "ClientClose::together needs ClientOptions::close_together");
}
