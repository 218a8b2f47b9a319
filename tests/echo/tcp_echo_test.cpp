// Live TCP tests: a TcpEchoServer and clients on 127.0.0.1 (::1 when present), on ports the kernel picks.
#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>

#include "echo/echo.hpp"
#include "tests/echo/echo_test_support.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using namespace lab::echo;
using namespace lab::echo::test;

namespace {

void check_non_decreasing_times(const std::vector<EchoEvent>& events) {
  for (std::size_t i = 1; i < events.size(); ++i) {
    INFO("event " << i << ": " << event_kind_name(events[i].kind));
    CHECK(events[i - 1].time_ns <= events[i].time_ns);
  }
}

}  // namespace

TEST_CASE("TCP: the server echoes every byte, binary and larger than 64 KiB") {
  OneClientRun run;
  const std::vector<std::string> messages{"Hello?", all_byte_values(), large_message()};
  run.run({}, {.messages = messages});

  REQUIRE(run.result);
  CHECK(run.result->ok);
  CHECK(run.result->error.empty());
  const std::string all = messages[0] + messages[1] + messages[2];
  CHECK(run.log.carried(Actor::client, EventKind::send, all));
  CHECK(run.log.carried(Actor::server, EventKind::recv, all));
  CHECK(run.log.carried(Actor::server, EventKind::send, all));
  CHECK(run.log.carried(Actor::client, EventKind::recv, all));
  for (const EchoEvent& event : run.log.events) {  // an event keeps the first bytes only
    CHECK(event.data.size() == std::min(event.bytes, event_data_limit));
  }
  // 100 KiB do not come back in one recv(): the server reads at most 4 KiB at a time.
  CHECK(run.log.count(Actor::server, EventKind::recv) > 25);
}

// A client that wrote everything before reading would deadlock here: 16 MiB is more than every socket
// buffer on the way holds (the server's receive buffer is small on purpose), so the server would block
// sending echoes nobody reads, stop reading, and both windows would stay at zero.
TEST_CASE("TCP: a message larger than all the socket buffers comes back whole: the client reads as it writes") {
  OneClientRun run;
  const std::string message = large_message(16 * 1024 * 1024);
  run.run({.receive_buffer = 16 * 1024}, {.messages = {message}});

  REQUIRE(run.result);
  INFO(run.result->error);
  CHECK(run.result->ok);
  CHECK(run.log.bytes(Actor::client, EventKind::recv) == message.size());
  CHECK(run.log.carried(Actor::client, EventKind::recv, message));
}

TEST_CASE("TCP: one client and the server, event by event") {
  OneClientRun run;
  run.run({}, {.messages = {"Hello?"}});
  REQUIRE(run.result);
  REQUIRE(run.result->ok);
  const EventLog& log = run.log;

  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"connect", "connected", "send", "recv", "close"});
  CHECK(log.kinds(Actor::server) == std::vector<std::string>{"listen", "accept", "recv", "send", "eof", "close"});
  check_non_decreasing_times(log.of(Actor::client));
  check_non_decreasing_times(log.of(Actor::server));

  SECTION("what the kernel says about each socket") {
    CHECK(log.first(Actor::server, EventKind::listen).kernel_state == "LISTEN");
    CHECK(log.first(Actor::client, EventKind::connect).kernel_state == "CLOSED");  // before connect()
    CHECK(log.first(Actor::client, EventKind::connected).kernel_state == "ESTABLISHED");
    CHECK(log.first(Actor::server, EventKind::accept).kernel_state == "ESTABLISHED");
    CHECK(log.first(Actor::client, EventKind::send).kernel_state == "ESTABLISHED");
    CHECK(log.first(Actor::client, EventKind::close).kernel_state == "ESTABLISHED");  // the client closes first
    CHECK(log.first(Actor::server, EventKind::eof).kernel_state == "CLOSE-WAIT");     // the client's FIN came
    CHECK(log.first(Actor::server, EventKind::close).kernel_state == "CLOSE-WAIT");
  }

  SECTION("endpoints: both sides name the same connection") {
    const EchoEvent& listen = log.first(Actor::server, EventKind::listen);
    const EchoEvent& connect = log.first(Actor::client, EventKind::connect);
    const EchoEvent& connected = log.first(Actor::client, EventKind::connected);
    const EchoEvent& accept = log.first(Actor::server, EventKind::accept);
    CHECK(listen.local.rfind("127.0.0.1:", 0) == 0);
    CHECK(listen.peer.empty());
    CHECK(connect.local.empty());  // no port before connect()
    CHECK(connect.peer == listen.local);
    CHECK(connected.peer == listen.local);
    CHECK(accept.local == listen.local);
    CHECK(accept.peer == connected.local);
    CHECK(connected.local.rfind("127.0.0.1:", 0) == 0);
  }

  SECTION("data and causality across the two sides") {
    const EchoEvent& send = log.first(Actor::client, EventKind::send);
    const EchoEvent& server_recv = log.first(Actor::server, EventKind::recv);
    const EchoEvent& server_send = log.first(Actor::server, EventKind::send);
    const EchoEvent& client_recv = log.first(Actor::client, EventKind::recv);
    CHECK(send.data == "Hello?");
    CHECK(send.bytes == 6);
    CHECK(client_recv.data == "Hello?");
    CHECK(send.time_ns <= server_recv.time_ns);
    CHECK(server_recv.time_ns <= server_send.time_ns);
    CHECK(server_send.time_ns <= client_recv.time_ns);
    CHECK(log.first(Actor::client, EventKind::close).time_ns <= log.first(Actor::server, EventKind::eof).time_ns);
  }
}

TEST_CASE("TCP: several clients at once, each gets its own bytes back") {
  asio::io_context io;
  EventLog log;
  TcpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  constexpr int clients = 8;
  std::vector<std::optional<ClientResult>> results(clients);
  for (int i = 0; i < clients; ++i) {
    const std::string name = "client " + std::to_string(i);
    ClientOptions options{.port = server.port(), .messages = {name + ": first", name + ": second", large_message()}};
    start_tcp_echo_client(io, options, log.sink(), [&results, i](const ClientResult& r) { results[i] = r; });
  }
  run_until(io, [&] { return log.count(Actor::server, EventKind::close) == clients; });

  for (int i = 0; i < clients; ++i) {
    INFO("client " << i);
    REQUIRE(results[i]);
    CHECK(results[i]->ok);
  }
  CHECK(log.count(Actor::server, EventKind::accept) == clients);
  CHECK(log.count(Actor::server, EventKind::eof) == clients);
  CHECK(log.count(Actor::client, EventKind::close) == clients);
  CHECK(log.count(Actor::server, EventKind::error) == 0);
}

TEST_CASE("TCP: connection refused when nothing listens") {
  asio::io_context io;
  EventLog log;
  const std::uint16_t port = unused_tcp_port();
  std::optional<ClientResult> result;
  int done_calls = 0;
  start_tcp_echo_client(io, {.port = port}, log.sink(), [&](const ClientResult& r) {
    result = r;
    ++done_calls;
  });
  run_until(io, [] { return false; });  // until the client is done and nothing is left to run

  REQUIRE(result);
  CHECK(done_calls == 1);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "connection refused: nothing listens on " + localhost(port));
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"connect", "error", "close"});
  const EchoEvent& error = log.first(Actor::client, EventKind::error);
  CHECK(error.detail.rfind("connect(): ", 0) == 0);
  CHECK(error.peer == localhost(port));
  CHECK(error.kernel_state == "CLOSED");
}

TEST_CASE("TCP: a server that never answers ends the client with a timeout") {
  asio::io_context io;
  // The kernel completes the handshake for a listening socket, but nobody ever reads or answers.
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  EventLog log;
  std::optional<ClientResult> result;
  const auto start = std::chrono::steady_clock::now();
  start_tcp_echo_client(io, {.port = silent.local_endpoint().port(), .reply_timeout = 200ms}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });
  const auto waited = std::chrono::steady_clock::now() - start;

  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "no reply within 200 ms");
  CHECK(waited >= 200ms);
  CHECK(waited < 2000ms);
  CHECK(log.kinds(Actor::client) == std::vector<std::string>{"connect", "connected", "send", "timeout", "close"});
}

TEST_CASE("TCP: a client that resets the connection shows as an error on the server") {
  asio::io_context io;
  EventLog log;
  TcpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  asio::ip::tcp::socket client(io);
  client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  run_until(io, [&] { return log.count(Actor::server, EventKind::accept) == 1; });
  client.set_option(asio::socket_base::linger(true, 0));  // close() now sends RST instead of FIN
  client.close();
  run_until(io, [&] { return log.count(Actor::server, EventKind::close) == 1; });

  CHECK(log.kinds(Actor::server) == std::vector<std::string>{"listen", "accept", "error", "close"});
  const EchoEvent& error = log.first(Actor::server, EventKind::error);
  CHECK(error.detail.rfind("recv(): ", 0) == 0);
  CHECK(error.kernel_state == "CLOSED");
}

TEST_CASE("TCP: a server that resets the connection ends the client with an error") {
  asio::io_context io;
  asio::ip::tcp::acceptor rude(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket accepted(io);
  rude.async_accept(accepted, [&](const asio::error_code& error) {
    REQUIRE_FALSE(error);
    accepted.set_option(asio::socket_base::linger(true, 0));  // close() now sends RST instead of FIN
    accepted.close();
  });
  EventLog log;
  std::optional<ClientResult> result;
  start_tcp_echo_client(io, {.port = rude.local_endpoint().port()}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });

  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "connection reset by the server");
  const std::vector<std::string> kinds = log.kinds(Actor::client);
  REQUIRE(kinds.size() >= 3);
  CHECK(kinds[kinds.size() - 2] == "error");
  CHECK(kinds.back() == "close");
}

TEST_CASE("TCP: the server constructor throws when the port is taken") {
  asio::io_context io;
  TcpEchoServer first(io, {.host = "127.0.0.1", .port = 0}, nullptr);
  try {
    TcpEchoServer second(io, {.host = "127.0.0.1", .port = first.port()}, nullptr);
    FAIL("a second server listened on a port already in use");
  } catch (const std::system_error& e) {
    CHECK(e.code() == std::errc::address_in_use);
    INFO(e.what());
    CHECK(std::string(e.what()).find(localhost(first.port())) != std::string::npos);
  }
  CHECK_THROWS_AS(TcpEchoServer(io, {.host = "not an address", .port = 0}, nullptr), std::system_error);
}

TEST_CASE("TCP: stop() closes the listening socket and every open connection") {
  asio::io_context io;
  EventLog log;
  TcpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
  asio::ip::tcp::socket client(io);
  client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
  run_until(io, [&] { return log.count(Actor::server, EventKind::accept) == 1; });
  REQUIRE(log.count(Actor::server, EventKind::accept) == 1);

  server.stop();
  run_until(io, [] { return false; });  // the server's coroutines end, so run() runs out of work

  CHECK(log.count(Actor::server, EventKind::close) == 2);  // listening socket and connection
  char byte = 0;
  asio::error_code error;
  asio::read(client, asio::buffer(&byte, 1), error);
  CHECK(error == asio::error::eof);  // the server's FIN
  asio::error_code refused;
  asio::ip::tcp::socket late(io);
  late.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()), refused);
  CHECK(refused == asio::error::connection_refused);
}

TEST_CASE("TCP: destroying the server with open connections ends them quietly") {
  asio::io_context io;
  EventLog log;
  asio::ip::tcp::socket client(io);
  {
    TcpEchoServer server(io, {.host = "127.0.0.1", .port = 0}, log.sink());
    client.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    run_until(io, [&] { return log.count(Actor::server, EventKind::accept) == 1; });
  }
  const std::size_t events_before = log.events.size();
  run_until(io, [] { return false; });
  CHECK(io.stopped());  // no coroutine left waiting
  CHECK(log.events.size() == events_before);
  char byte = 0;
  asio::error_code error;
  asio::read(client, asio::buffer(&byte, 1), error);
  CHECK(error == asio::error::eof);
}

TEST_CASE("TCP: IPv6 on ::1") {
  if (!ipv6_loopback_available()) {
    LAB_SKIP("no IPv6 loopback here: skipped");
  }
  OneClientRun run;
  run.run({.host = "::1"}, {.host = "::1", .messages = {"Hello over IPv6"}});
  REQUIRE(run.result);
  CHECK(run.result->ok);
  const EchoEvent& listen = run.log.first(Actor::server, EventKind::listen);
  CHECK(listen.local.rfind("[::1]:", 0) == 0);
  CHECK(run.log.first(Actor::client, EventKind::connected).peer == listen.local);
  CHECK(run.log.first(Actor::client, EventKind::connected).local.rfind("[::1]:", 0) == 0);
  CHECK(run.log.data(Actor::client, EventKind::recv) == "Hello over IPv6");
}
