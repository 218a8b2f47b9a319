// Live TCP tests of the socket settings a lab turns to make TCP's mechanics visible: the MSS, a slow
// reader, a small receive buffer, and messages far larger than one segment.
#include <chrono>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "echo/echo.hpp"
#include "echo/tcp_max_segment.hpp"
#include "tests/echo/echo_test_support.hpp"
#include "tests/support/catch.hpp"

using namespace lab::echo;
using namespace lab::echo::test;

namespace {

const asio::ip::address loopback = asio::ip::make_address("127.0.0.1");

// The MSS the kernel uses to send on this connection: at most what the peer announced in its SYN, less
// the room for TCP options such as timestamps (12 bytes).
int mss_in_use(asio::ip::tcp::socket& socket) {
  TcpMaxSegment mss;
  socket.get_option(mss);
  return mss.value();
}

}  // namespace

TEST_CASE("TCP options: the client's MSS goes in its SYN, so the server sends no larger segments") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(loopback, 0));
  asio::ip::tcp::socket accepted(io);
  std::optional<int> server_mss;
  acceptor.async_accept(accepted, [&](const asio::error_code& error) {
    if (!error) server_mss = mss_in_use(accepted);
  });
  std::optional<ClientResult> result;
  start_tcp_echo_client(io, {.port = acceptor.local_endpoint().port(), .reply_timeout = 100ms, .mss = 1000},
                        nullptr, [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return server_mss.has_value(); });

  REQUIRE(server_mss);
  CHECK(*server_mss <= 1000);
  CHECK(*server_mss >= 1000 - 40);  // loopback's own MSS is about 65,000: 1000 must be what limits it
}

TEST_CASE("TCP options: the server's MSS goes in its SYN-ACK") {
  asio::io_context io;
  TcpEchoServer server(io, {.mss = 700}, nullptr);
  asio::ip::tcp::socket client(io);
  client.connect(asio::ip::tcp::endpoint(loopback, server.port()));
  CHECK(mss_in_use(client) <= 700);
  CHECK(mss_in_use(client) >= 700 - 40);
}

TEST_CASE("TCP options: small segments, a large message, every byte echoed") {
  asio::io_context io;
  EventLog log;
  TcpEchoServer server(io, {.mss = 536}, log.sink());
  std::optional<ClientResult> result;
  const std::string message = large_message();
  start_tcp_echo_client(io, {.port = server.port(), .messages = {message}, .mss = 536}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result && log.count(Actor::server, EventKind::close) == 1; });

  REQUIRE(result);
  CHECK(result->ok);
  CHECK(log.count(Actor::client, EventKind::send) == 1);  // one async_write, however many segments
  CHECK(log.first(Actor::client, EventKind::send).bytes == message.size());
  CHECK(log.first(Actor::client, EventKind::send).data.size() == event_data_limit);  // not 100 kB
  CHECK(log.count(Actor::client, EventKind::recv) > 1);  // the echo comes back in pieces
  CHECK(log.carried(Actor::client, EventKind::recv, message));
  CHECK(log.carried(Actor::server, EventKind::recv, message));
}

TEST_CASE("TCP options: a slow reader with a small receive buffer still echoes everything") {
  asio::io_context io;
  EventLog log;
  TcpEchoServer server(io, {.read_pause = 20ms, .receive_buffer = 4096}, log.sink());
  std::optional<ClientResult> result;
  const std::string message = large_message(16 * 1024);
  const auto start = std::chrono::steady_clock::now();
  start_tcp_echo_client(io, {.port = server.port(), .messages = {message}}, log.sink(),
                        [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result && log.count(Actor::server, EventKind::close) == 1; });
  const auto waited = std::chrono::steady_clock::now() - start;

  REQUIRE(result);
  CHECK(result->ok);
  CHECK(log.carried(Actor::server, EventKind::recv, message));
  // The server reads at most 4 KiB per recv() and pauses before each: at least 4 pauses, plus the one
  // before the recv() that returns 0.
  const std::size_t reads = log.count(Actor::server, EventKind::recv);
  CHECK(reads >= 4);
  CHECK(waited >= 20ms * (reads + 1));
}

TEST_CASE("TCP options: an MSS the kernel refuses is a clear error") {
  asio::io_context io;
  std::optional<ClientResult> result;
  start_tcp_echo_client(io, {.port = unused_tcp_port(), .mss = 10}, nullptr, [&](const ClientResult& r) { result = r; });
  run_until(io, [&] { return result.has_value(); });
  REQUIRE(result);
  CHECK_FALSE(result->ok);
  CHECK(result->error == "cannot set the MSS to 10 bytes (TCP_MAXSEG): Invalid argument");
}
