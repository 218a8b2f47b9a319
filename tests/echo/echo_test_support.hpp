#pragma once
// Helpers for the echo tests: record the events, run an io_context for a bounded time, find free ports.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "echo/echo.hpp"

namespace lab::echo::test {

using namespace std::chrono_literals;

// Every event the sink got, in order.
struct EventLog {
  std::vector<EchoEvent> events;

  EchoEventSink sink() {
    return [this](const EchoEvent& event) { events.push_back(event); };
  }

  std::vector<EchoEvent> of(Actor actor) const {
    std::vector<EchoEvent> result;
    for (const EchoEvent& event : events) {
      if (event.actor == actor) result.push_back(event);
    }
    return result;
  }

  std::vector<std::string> kinds(Actor actor) const {
    std::vector<std::string> result;
    for (const EchoEvent& event : of(actor)) result.emplace_back(event_kind_name(event.kind));
    return result;
  }

  std::size_t count(Actor actor, EventKind kind) const {
    std::size_t n = 0;
    for (const EchoEvent& event : events) n += event.actor == actor && event.kind == kind;
    return n;
  }

  const EchoEvent& first(Actor actor, EventKind kind) const {
    for (const EchoEvent& event : events) {
      if (event.actor == actor && event.kind == kind) return event;
    }
    throw std::runtime_error(std::string("no ") + actor_name(actor) + " " + event_kind_name(kind) + " event");
  }

  // The bytes of every event of this kind, one after the other (as events keep them: at most
  // event_data_limit each, so this is the whole conversation for short messages only).
  std::string data(Actor actor, EventKind kind) const {
    std::string result;
    for (const EchoEvent& event : of(actor)) {
      if (event.kind == kind) result += event.data;
    }
    return result;
  }

  // How many bytes the events of this kind moved, in all.
  std::size_t bytes(Actor actor, EventKind kind) const {
    std::size_t total = 0;
    for (const EchoEvent& event : of(actor)) {
      if (event.kind == kind) total += event.bytes;
    }
    return total;
  }

  // The events of this kind carried `stream`, piece after piece: each event keeps the first bytes of its
  // piece (all of them up to event_data_limit), and the byte counts add up to the whole stream.
  bool carried(Actor actor, EventKind kind, const std::string& stream) const {
    std::size_t offset = 0;
    for (const EchoEvent& event : of(actor)) {
      if (event.kind != kind) continue;
      if (offset + event.bytes > stream.size()) return false;
      if (event.data != stream.substr(offset, std::min(event.bytes, event_data_limit))) return false;
      offset += event.bytes;
    }
    return offset == stream.size();
  }
};

// Runs `io` until `finished()`, until it has no work left, or for at most `limit`: a broken test fails, it
// does not hang.
template <class Finished>
void run_until(asio::io_context& io, Finished finished, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!finished() && std::chrono::steady_clock::now() < deadline) {
    if (io.run_one_until(deadline) == 0) break;
  }
}

// A TCP port on 127.0.0.1 nothing listens on: the kernel picks a free one for a socket we then close.
inline std::uint16_t unused_tcp_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// A UDP port on 127.0.0.1 nothing is bound to: a datagram sent there earns an ICMP port unreachable.
inline std::uint16_t unused_udp_port() {
  asio::io_context io;
  asio::ip::udp::socket socket(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return socket.local_endpoint().port();
}

inline bool ipv6_loopback_available() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io);
  asio::error_code error;
  acceptor.open(asio::ip::tcp::v6(), error);
  if (!error) acceptor.bind(asio::ip::tcp::endpoint(asio::ip::make_address("::1"), 0), error);
  return !error;
}

inline std::string localhost(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

// Every value 0..255, twice: NUL, CR, LF, 0xff... nothing may be lost or changed on the way.
inline std::string all_byte_values() {
  std::string bytes;
  for (int round = 0; round < 2; ++round) {
    for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  }
  return bytes;
}

// More than 64 KiB, with a pattern that does not repeat every 256 bytes, so that a misplaced chunk shows.
inline std::string large_message(std::size_t size = 100 * 1024 + 7) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7 + i / 251) % 256);
  return bytes;
}

// One TCP server and one client, run until the client is done and the server has closed the connection. The
// client connects to the server's (kernel-chosen) port.
struct OneClientRun {
  asio::io_context io;
  EventLog log;
  std::optional<ClientResult> result;

  void run(const ServerOptions& server_options, ClientOptions client_options) {
    TcpEchoServer server(io, server_options, log.sink());
    client_options.port = server.port();
    start_tcp_echo_client(io, client_options, log.sink(), [this](const ClientResult& r) { result = r; });
    run_until(io, [&] { return result && log.count(Actor::server, EventKind::close) == 1; });
  }
};

}  // namespace lab::echo::test
