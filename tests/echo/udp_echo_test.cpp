// Live UDP tests: a UdpEchoServer and clients on 127.0.0.1 (::1 when present), on ports the kernel picks.
#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include "echo/echo.hpp"
#include "tests/echo/echo_test_support.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using namespace lab::echo;
using namespace lab::echo::test;

TEST_CASE("UDP: every datagram comes back unchanged") {
  asio::io_context io;
  EventLog log;
  UdpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  std::optional<ClientResult> result;
  const std::vector<std::string> messages{"Hello?", all_byte_values()};
  start_udp_echo_client(io, {.port = server.port(), .messages = messages}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });

  REQUIRE(result);
  CHECK(result->ok);
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"send", "recv", "send", "recv", "close"});
  CHECK(log.kinds(Actor::server) == std::vector<std::string>{"listen", "recv", "send", "recv", "send"});
  CHECK(log.carried(Actor::client, EventKind::recv, messages[0] + messages[1]));
  CHECK(log.carried(Actor::server, EventKind::recv, messages[0] + messages[1]));

  const EchoEvent& listen = log.first(Actor::server, EventKind::listen);
  const EchoEvent& client_send = log.first(Actor::client, EventKind::send);
  const EchoEvent& server_recv = log.first(Actor::server, EventKind::recv);
  const EchoEvent& client_recv = log.first(Actor::client, EventKind::recv);
  CHECK(listen.local == localhost(server.port()));
  CHECK(client_send.peer == listen.local);
  CHECK(client_send.local.empty());  // the kernel gives the client a port at its first sendto()
  CHECK(client_recv.peer == listen.local);
  CHECK(server_recv.peer.rfind("127.0.0.1:", 0) == 0);
  CHECK(server_recv.peer.substr(server_recv.peer.find(':')) ==
        client_recv.local.substr(client_recv.local.find(':')));  // same port; the client is bound to 0.0.0.0
  CHECK(client_send.time_ns <= server_recv.time_ns);
  CHECK(log.first(Actor::server, EventKind::send).time_ns <= client_recv.time_ns);
  for (const EchoEvent& event : log.events) CHECK(event.kernel_state.empty());
}

TEST_CASE("UDP: the client gives up when no reply comes") {
  asio::io_context io;
  // Bound, so the datagram is delivered (no ICMP port unreachable), but nobody ever answers.
  asio::ip::udp::socket silent(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  EventLog log;
  std::optional<ClientResult> result;
  int done_calls = 0;
  const auto start = std::chrono::steady_clock::now();
  start_udp_echo_client(io, {.port = silent.local_endpoint().port(), .reply_timeout = 200ms}, log.sink(),
                        [&](const ClientResult& r) {
                          result = r;
                          ++done_calls;
                        });
  run_until(io, [] { return false; });
  const auto waited = std::chrono::steady_clock::now() - start;

  REQUIRE(result);
  CHECK(done_calls == 1);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "no reply within 200 ms: UDP does not retransmit");
  CHECK(waited >= 200ms);
  CHECK(waited < 2000ms);
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"send", "timeout", "close"});
  CHECK(silent.available() == 6);  // "Hello?" did arrive
}

TEST_CASE("UDP: keep_going_after_timeout counts each lost reply and sends the next message") {
  asio::io_context io;
  asio::ip::udp::socket silent(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  EventLog log;
  std::optional<ClientResult> result;
  ClientOptions options{.port = silent.local_endpoint().port(), .reply_timeout = 100ms};
  options.messages = {"one", "two"};
  options.keep_going_after_timeout = true;
  start_udp_echo_client(io, options, log.sink(), [&](const ClientResult& r) { result = r; });
  run_until(io, [] { return false; });

  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "2 of 2 replies never came: UDP does not retransmit");
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"send", "timeout", "send", "timeout", "close"});
  CHECK(silent.available() > 0);  // both datagrams did arrive: only the replies were missing
}

TEST_CASE("UDP: a connected client hears the ICMP port unreachable as connection refused") {
  asio::io_context io;
  EventLog log;
  const std::uint16_t port = unused_udp_port();
  std::optional<ClientResult> result;
  start_udp_echo_client(io, {.port = port, .reply_timeout = 1000ms, .connect_udp = true}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [] { return false; });

  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "connection refused: nothing listens on " + localhost(port) +
                             " (the ICMP port unreachable reached this connected socket)");
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"connect", "send", "error", "close"});
  CHECK(log.first(Actor::client, EventKind::error).detail == "recv(): Connection refused");
  CHECK(log.first(Actor::client, EventKind::connect).peer == localhost(port));
}

TEST_CASE("UDP: an unconnected client never hears of the ICMP error and times out") {
  asio::io_context io;
  EventLog log;
  const std::uint16_t port = unused_udp_port();
  std::optional<ClientResult> result;
  start_udp_echo_client(io, {.port = port, .reply_timeout = 200ms}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [] { return false; });

  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "no reply within 200 ms: UDP does not retransmit");
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"send", "timeout", "close"});
  CHECK(log.first(Actor::client, EventKind::timeout).detail == "recvfrom(): nothing within 200 ms");
}

TEST_CASE("UDP: a connected client echoes like an unconnected one") {
  asio::io_context io;
  EventLog log;
  UdpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  std::optional<ClientResult> result;
  start_udp_echo_client(io, {.port = server.port(), .messages = {"Hello?", "again"}, .connect_udp = true},
                        log.sink(), [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });

  REQUIRE(result);
  CHECK(result->ok);
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"connect", "send", "recv", "send", "recv", "close"});
  CHECK(log.data(Actor::client, EventKind::recv) == "Hello?again");
  CHECK(log.first(Actor::client, EventKind::recv).peer == localhost(server.port()));
  CHECK_FALSE(log.first(Actor::client, EventKind::send).local.empty());  // connect() gave it a port already
}

TEST_CASE("UDP: the server constructor throws when the port is taken") {
  asio::io_context io;
  UdpEchoServer first(io, {.host = "127.0.0.1", .port = 0}, nullptr);
  try {
    UdpEchoServer second(io, {.host = "127.0.0.1", .port = first.port()}, nullptr);
    FAIL("a second server bound a port already in use");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::address_in_use);
  }
}

TEST_CASE("UDP: stop() ends the server") {
  asio::io_context io;
  EventLog log;
  UdpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  server.stop();
  run_until(io, [] { return false; });
  CHECK(io.stopped());
  CHECK(log.kinds(Actor::server) == std::vector<std::string>{"listen", "close"});
}

TEST_CASE("UDP: IPv6 on ::1") {
  if (!ipv6_loopback_available()) {
    LAB_SKIP("no IPv6 loopback here: skipped");
  }
  asio::io_context io;
  EventLog log;
  UdpEchoServer server(io, {.host = "::1", .port = 0}, log.sink());
  std::optional<ClientResult> result;
  start_udp_echo_client(io, {.host = "::1", .port = server.port()}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });
  REQUIRE(result);
  CHECK(result->ok);
  CHECK(log.first(Actor::server, EventKind::listen).local == "[::1]:" + std::to_string(server.port()));
  CHECK(log.first(Actor::client, EventKind::recv).peer == "[::1]:" + std::to_string(server.port()));
}
