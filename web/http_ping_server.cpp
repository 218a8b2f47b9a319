// The web lab's server: HTTP/1.1 over the same kind of accept loop as the TCP echo server, one coroutine per
// connection. Each connection reads a request head, reads and discards its body, writes the answer, and goes
// on with the next request (keep-alive), until the client closes, asks to close ("Connection: close", or
// HTTP/1.0 without keep-alive), sends what cannot be read, or stays idle too long; in those last cases the
// server closes first, and its FIN is the first on the wire.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 warns here that Asio's coroutine frames are freed by a "mismatched" operator delete: a false positive
// (GCC bug 109224): asio::detail::awaitable_frame_base allocates and frees its frames with its own matching pair
// (aligned_alloc inside the one, its free inside the other), which GCC sees through only halfway once inlined.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "capture/decode/http.hpp"
#include "capture/decode/http_chunked.hpp"
#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"
#include "web/http_messages.hpp"
#include "web/http_ping.hpp"
#include "web/tcp_listener.hpp"

namespace lab::web {

using asio::ip::tcp;
using lab::decode::HttpBodyLength;
using lab::decode::HttpHead;
using lab::decode::HttpHeadStatus;
using lab::echo::EventDetails;
using lab::echo::EventKind;
using lab::echo::report_and_close;
using lab::echo::use_nothrow_awaitable;

namespace {

// How a wait for more of the client's bytes ended.
enum class Received { data, end, idle, stopped };

// Lists a connection's socket for as long as the coroutine that owns it lives, so that stop() can close it.
class ListedClient {
 public:
  ListedClient(std::set<tcp::socket*>& clients, tcp::socket& client) : clients_(clients), client_(&client) {
    clients_.insert(client_);
  }
  ~ListedClient() { clients_.erase(client_); }
  ListedClient(const ListedClient&) = delete;
  ListedClient& operator=(const ListedClient&) = delete;

 private:
  std::set<tcp::socket*>& clients_;
  tcp::socket* client_;
};

std::string peer_of(tcp::socket& socket) {
  asio::error_code error;
  const auto peer = socket.remote_endpoint(error);
  return error ? std::string{} : lab::echo::endpoint_text(peer);
}

}  // namespace

struct HttpPingServer::Impl {
  Impl(asio::io_context& io, HttpServerOptions server_options, lab::echo::EchoEventSink sink)
      : options(std::move(server_options)), acceptor(io), report(lab::echo::Actor::server, std::move(sink)) {}

  void listen(const tcp::endpoint& endpoint);
  static asio::awaitable<void> accept_clients(std::shared_ptr<Impl> server);
  static asio::awaitable<void> serve(std::shared_ptr<Impl> server, tcp::socket client);
  asio::awaitable<void> converse(tcp::socket& client);
  asio::awaitable<std::optional<HttpAnswer>> next_answer(tcp::socket& client, std::string& pending, HttpServed& served);
  asio::awaitable<bool> send_answer(tcp::socket& client, const HttpAnswer& answer, HttpServed& served);
  asio::awaitable<Received> receive_more(tcp::socket& client, std::string& pending);
  asio::awaitable<std::optional<HttpAnswer>> discard_body(tcp::socket& client, std::string& pending,
                                                          HttpBodyLength body_length, std::uint64_t content_length,
                                                          bool& connection_over);
  asio::awaitable<void> close_in_stages(tcp::socket& client);
  void close_connection(tcp::socket& client, std::string detail);
  void stop();
  bool stopped() const { return !acceptor.is_open(); }

  const HttpServerOptions options;
  tcp::acceptor acceptor;
  std::set<tcp::socket*> clients;
  lab::echo::EventReporter report;
  std::uint16_t port = 0;
};

void HttpPingServer::Impl::listen(const tcp::endpoint& endpoint) {
  port = listen_tcp(acceptor, endpoint);
  report(EventKind::listen, acceptor);
}

asio::awaitable<void> HttpPingServer::Impl::accept_clients(std::shared_ptr<Impl> server) {
  for (;;) {
    auto [error, client] = co_await server->acceptor.async_accept(use_nothrow_awaitable);
    if (server->stopped()) co_return;
    if (error) {  // e.g. out of file descriptors: trying again at once would only spin, so stop accepting
      server->report(EventKind::error, server->acceptor, {.detail = "accept(): " + error.message()});
      co_return;
    }
    server->report(EventKind::accept, client);
    asio::co_spawn(server->acceptor.get_executor(), serve(server, std::move(client)), lab::echo::rethrow_if_failed);
  }
}

asio::awaitable<void> HttpPingServer::Impl::serve(std::shared_ptr<Impl> server, tcp::socket client) {
  if (server->stopped()) co_return;  // stop() came between accept() and this coroutine's first turn
  const ListedClient listed(server->clients, client);
  co_await server->converse(client);
}

// One recv(), appended to what is pending; the wait is bounded by the idle timeout.
asio::awaitable<Received> HttpPingServer::Impl::receive_more(tcp::socket& client, std::string& pending) {
  std::vector<char> data(4096);
  auto read = co_await lab::echo::before_deadline(std::chrono::steady_clock::now() + options.idle_timeout,
                                                  client.async_read_some(asio::buffer(data), use_nothrow_awaitable));
  if (!client.is_open()) co_return Received::stopped;  // stop() closed it
  if (!read) co_return Received::idle;
  auto [error, n] = *read;
  if (error == asio::error::eof) {  // recv() returned 0: the client's FIN came
    report(EventKind::eof, client);
    co_return Received::end;
  }
  if (error) {  // e.g. a reset: the connection is gone
    report(EventKind::error, client, {.detail = "recv(): " + error.message()});
    co_return Received::end;
  }
  const std::string_view received(data.data(), n);
  report(EventKind::recv, client, {.data = received});
  pending += received;
  co_return Received::data;
}

// Reads the request's body and throws it away (this server needs none), so that the next request on the
// connection starts where it should. nullopt when it was read whole; otherwise the refusal to send.
// `connection_over`: the client went away (or stop() came) meanwhile, and there is no one left to answer.
asio::awaitable<std::optional<HttpAnswer>> HttpPingServer::Impl::discard_body(tcp::socket& client,
                                                                               std::string& pending,
                                                                               HttpBodyLength body_length,
                                                                               std::uint64_t content_length,
                                                                               bool& connection_over) {
  connection_over = false;
  if (body_length == HttpBodyLength::content_length) {
    if (content_length > options.max_body_bytes) co_return refusal(413, "the request's body is too large");
    std::uint64_t left = content_length;
    for (;;) {
      const std::size_t used = static_cast<std::size_t>(std::min<std::uint64_t>(left, pending.size()));
      pending.erase(0, used);
      left -= used;
      if (left == 0) co_return std::nullopt;
      if (co_await receive_more(client, pending) != Received::data) break;
    }
  } else if (body_length == HttpBodyLength::chunked) {
    // A chunked body's end is found by reading it (RFC 9112 §7.1), with the same decoder the annotator uses.
    lab::decode::ChunkedBody body;
    for (;;) {
      const auto step = body.feed(as_bytes(pending));
      pending.erase(0, step.used);
      if (step.status == lab::decode::ChunkedBody::Status::done) co_return std::nullopt;
      if (step.status == lab::decode::ChunkedBody::Status::malformed)
        co_return refusal(400, "a malformed chunked body: " + std::string(body.error()));
      if (body.data_bytes() > options.max_body_bytes) co_return refusal(413, "the request's body is too large");
      if (co_await receive_more(client, pending) != Received::data) break;
    }
  } else if (body_length != HttpBodyLength::none) {
    // A request whose last transfer coding is not chunked has no knowable end (RFC 9112 §6.3, rule 4): the parser
    // already calls it malformed (400). Should it ever let one through, the server still refuses to guess.
    co_return refusal(501, "a transfer coding other than chunked");
  } else {
    co_return std::nullopt;
  }
  connection_over = true;
  co_return std::nullopt;
}

// The requests of one connection, one after the other: pipelined ones are already in `pending` and are answered
// in the order they came, as HTTP/1.1 requires (RFC 9112 §9.3.2).
asio::awaitable<void> HttpPingServer::Impl::converse(tcp::socket& client) {
  const std::string peer = peer_of(client);
  std::string pending;  // bytes received and not used yet: the rest of a request, or the next ones
  for (;;) {
    HttpServed served{.peer = peer};
    const std::optional<HttpAnswer> answer = co_await next_answer(client, pending, served);
    if (!answer || !co_await send_answer(client, *answer, served)) co_return;
  }
}

// Reads the next request whole, head and body, and decides its answer. nullopt when the connection ended first:
// it is then closed already (by the client's end, the idle timeout, or stop()).
asio::awaitable<std::optional<HttpAnswer>> HttpPingServer::Impl::next_answer(tcp::socket& client,
                                                                              std::string& pending,
                                                                              HttpServed& served) {
  HttpHead head;
  HttpHeadStatus status = lab::decode::parse_http_head(as_bytes(pending), head);
  while (status == HttpHeadStatus::incomplete && pending.size() < options.max_head_bytes) {
    const Received received = co_await receive_more(client, pending);
    if (received == Received::stopped) co_return std::nullopt;
    if (received == Received::end) {  // the client closed (or reset): nothing more to answer
      report_and_close(report, client);
      co_return std::nullopt;
    }
    if (received == Received::idle) {
      close_connection(client, "no request for " + std::to_string(options.idle_timeout.count()) +
                                   " ms: the server closes the idle connection");
      co_return std::nullopt;
    }
    status = lab::decode::parse_http_head(as_bytes(pending), head);
  }

  const bool too_long = status == HttpHeadStatus::incomplete ||
                        (status == HttpHeadStatus::complete && head.head_length > options.max_head_bytes) ||
                        (status == HttpHeadStatus::malformed && head.error.find("longer than") != std::string_view::npos);
  if (too_long)
    co_return refusal(431, "the request's head is longer than " + std::to_string(options.max_head_bytes) + " bytes");
  if (status != HttpHeadStatus::complete)
    co_return refusal(400, status == HttpHeadStatus::not_http ? "not an HTTP request" : std::string(head.error));

  served.method = head.method;
  served.target = head.target;
  served.version_minor = head.version_minor;
  const HttpAnswer routed = answer_for(head);
  const HttpBodyLength body_length = head.body;
  const std::uint64_t content_length = head.content_length;
  pending.erase(0, head.head_length);  // `head` points into these bytes: not used after this
  bool connection_over = false;
  std::optional<HttpAnswer> refused = co_await discard_body(client, pending, body_length, content_length,
                                                            connection_over);
  if (!client.is_open()) co_return std::nullopt;  // stop() closed it
  if (connection_over) {  // the client closed or went silent within the body
    report_and_close(report, client);
    co_return std::nullopt;
  }
  co_return refused ? refused : routed;
}

// Writes the answer, then closes when it says so (the server's FIN is then the first). False: the connection is over.
asio::awaitable<bool> HttpPingServer::Impl::send_answer(tcp::socket& client, const HttpAnswer& answer,
                                                        HttpServed& served) {
  served.time_ns = lab::echo::realtime_ns();
  served.status = answer.status;
  served.body_bytes = answer.head_only ? 0 : answer.body.size();
  served.closes = answer.closes;
  if (options.on_served) options.on_served(served);  // as it is sent, like the send event
  const std::string response = response_bytes(answer, options.server_name);
  report(EventKind::send, client, {.data = response});
  auto [write_error, written] = co_await asio::async_write(client, asio::buffer(response), use_nothrow_awaitable);
  if (!client.is_open()) co_return false;
  if (write_error) {
    report(EventKind::error, client, {.detail = "send(): " + write_error.message()});
    report_and_close(report, client);
    co_return false;
  }
  if (!answer.closes) co_return true;
  co_await close_in_stages(client);
  co_return false;
}

// After an answer that says "Connection: close": shutdown(SHUT_WR) sends the server's FIN at once, then whatever the
// client still sends (a pipelined request, the rest of a refused one) is read and thrown away until its own FIN, or
// for at most linger_timeout, and only then close(). Closing at once with bytes unread would make the kernel send
// RST (RFC 9293 §3.6.1), which can destroy the answer before the client has read it: RFC 9112 §9.6 asks a server to
// close in these stages.
asio::awaitable<void> HttpPingServer::Impl::close_in_stages(tcp::socket& client) {
  report(EventKind::shutdown, client);  // the server's FIN follows
  asio::error_code error;
  client.shutdown(tcp::socket::shutdown_send, error);
  const auto deadline = std::chrono::steady_clock::now() + options.linger_timeout;
  std::vector<char> data(4096);
  while (!error) {  // each turn reads at least one byte, and the deadline is fixed: bounded in time
    auto read = co_await lab::echo::before_deadline(deadline,
                                                    client.async_read_some(asio::buffer(data), use_nothrow_awaitable));
    if (!client.is_open()) co_return;  // stop() closed it
    if (!read) break;                  // the client kept the connection open: close anyway
    auto [read_error, n] = *read;
    if (read_error == asio::error::eof) {
      report(EventKind::eof, client);
      break;
    }
    if (read_error) break;
    report(EventKind::recv, client, {.data = std::string_view(data.data(), n), .detail = "thrown away"});
  }
  close_connection(client, "");
}

// close(), saying so when bytes are left unread: the kernel then answers with RST, not FIN (RFC 9293 §3.6.1).
void HttpPingServer::Impl::close_connection(tcp::socket& client, std::string detail) {
  asio::error_code ignored;  // on failure available() says 0
  const std::size_t unread = client.available(ignored);
  if (unread > 0) {
    if (!detail.empty()) detail += "; ";
    detail += "closing with " + std::to_string(unread) + " unread bytes in the receive buffer";
  }
  report_and_close(report, client, EventDetails{.detail = detail, .resets = unread > 0});
}

void HttpPingServer::Impl::stop() {
  if (acceptor.is_open()) report_and_close(report, acceptor);
  // A copy: close_connection() does not change the set, but a coroutine finishing meanwhile could.
  for (tcp::socket* client : std::vector<tcp::socket*>(clients.begin(), clients.end())) {
    if (client->is_open()) close_connection(*client, "");
  }
}

HttpPingServer::HttpPingServer(asio::io_context& io, const HttpServerOptions& options, lab::echo::EchoEventSink sink)
    : impl_(std::make_shared<Impl>(io, options, std::move(sink))) {
  impl_->listen(tcp::endpoint(lab::echo::listen_address(options.host), options.port));
  asio::co_spawn(io, Impl::accept_clients(impl_), lab::echo::rethrow_if_failed);
}

HttpPingServer::~HttpPingServer() {
  impl_->report.mute();  // whoever received the events may be gone already
  impl_->stop();
}

std::uint16_t HttpPingServer::port() const { return impl_->port; }

void HttpPingServer::stop() { impl_->stop(); }

}  // namespace lab::web
