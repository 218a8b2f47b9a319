// The HTTPS lab's server: http_ping_server.cpp's accept loop and answers (answer_for(), refusal(), response_bytes():
// the same bytes), each connection over TLS: accept(), the handshake, then requests until the client's
// close_notify, "Connection: close", an unreadable request or the idle timeout; it ends with close_tls().
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC bug 109224, as in http_ping_server.cpp
#endif
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include "capture/decode/http.hpp"
#include "capture/decode/http_chunked.hpp"
#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"
#include "web/http_messages.hpp"
#include "web/https_ping.hpp"
#include "web/tcp_listener.hpp"
#include "web/tls_stream.hpp"

namespace lab::web {

using asio::ip::tcp;
using lab::decode::HttpBodyLength;
using lab::decode::HttpHead;
using lab::decode::HttpHeadStatus;
using lab::echo::EventKind;
using lab::echo::report_and_close;
using lab::echo::use_nothrow_awaitable;
using std::chrono::steady_clock;

namespace {

enum class Received { data, end, notified_end, idle, stopped };

}  // namespace

struct HttpsPingServer::Impl {
  Impl(asio::io_context& io, HttpsServerOptions server_options, lab::echo::EchoEventSink sink)
      : options(std::move(server_options)),
        context(make_server_context(options.key_log.get())),
        acceptor(io),
        report(lab::echo::Actor::server, std::move(sink)) {}

  static asio::awaitable<void> accept_clients(std::shared_ptr<Impl> server);
  static asio::awaitable<void> serve(std::shared_ptr<Impl> server, tcp::socket client);
  asio::awaitable<void> converse(TlsStream& stream);
  asio::awaitable<Received> receive_more(TlsStream& stream, std::string& pending, std::string& first_note);
  void stop();
  bool stopped() const { return !acceptor.is_open(); }

  const HttpsServerOptions options;
  asio::ssl::context context;
  tcp::acceptor acceptor;
  std::set<tcp::socket*> clients;  // each connection's socket, while its coroutine lives: stop() closes them
  lab::echo::EventReporter report;
  std::uint16_t port = 0;
  TlsFacts last_tls;
};

asio::awaitable<void> HttpsPingServer::Impl::accept_clients(std::shared_ptr<Impl> server) {
  for (;;) {
    auto [error, client] = co_await server->acceptor.async_accept(use_nothrow_awaitable);
    if (server->stopped()) co_return;
    if (error) {  // as HttpPingServer: trying again at once would only spin
      server->report(EventKind::error, server->acceptor, {.detail = "accept(): " + error.message()});
      co_return;
    }
    // The handshake starts once accept() returns: its start goes on this event, its end on the first recv's.
    server->report(EventKind::accept, client, {.detail = "TLS handshake starts: the server waits for the ClientHello"});
    asio::co_spawn(server->acceptor.get_executor(), serve(server, std::move(client)), lab::echo::rethrow_if_failed);
  }
}

asio::awaitable<void> HttpsPingServer::Impl::serve(std::shared_ptr<Impl> server, tcp::socket client) {
  if (server->stopped()) co_return;
  TlsStream stream(std::move(client), server->context);
  tcp::socket& socket = stream.next_layer();
  server->clients.insert(&socket);
  co_await server->converse(stream);
  server->clients.erase(&socket);
}

// One SSL_read(), appended to `pending`, bounded by the idle timeout. `first_note`, when not empty, goes on this
// recv's detail (the handshake's facts) and is then cleared.
asio::awaitable<Received> HttpsPingServer::Impl::receive_more(TlsStream& stream, std::string& pending,
                                                              std::string& first_note) {
  tcp::socket& socket = stream.next_layer();
  std::vector<char> data(4096);
  const std::uint64_t before = tls_bytes_read(stream.native_handle());
  auto read = co_await lab::echo::before_deadline(steady_clock::now() + options.http.idle_timeout,
                                                  stream.async_read_some(asio::buffer(data), use_nothrow_awaitable));
  if (!socket.is_open()) co_return Received::stopped;
  if (!read) co_return Received::idle;
  auto [error, n] = *read;
  if (error == asio::error::eof) {  // SSL_read() returned 0 with close_notify: TLS's own end of the stream
    report(EventKind::eof, socket, {.detail = "the client's TLS close_notify came", .tls = true});
    co_return Received::notified_end;
  }
  if (error == asio::ssl::error::stream_truncated) {  // a TCP FIN without close_notify
    report(EventKind::eof, socket, {.detail = "the client's FIN came without a TLS close_notify", .tls = true});
    co_return Received::end;
  }
  if (error) {
    report(EventKind::error, socket, {.detail = "SSL_read(): " + error.message()});
    co_return Received::end;
  }
  const std::string_view received(data.data(), n);
  std::string detail = received_words(n, tls_bytes_read(stream.native_handle()) - before);
  if (!first_note.empty()) detail = first_note + "; " + detail;
  first_note.clear();
  report(EventKind::recv, socket, {.data = received, .detail = detail, .tls = true});
  pending += received;
  co_return Received::data;
}

asio::awaitable<void> HttpsPingServer::Impl::converse(TlsStream& stream) {
  tcp::socket& socket = stream.next_layer();
  const auto started = steady_clock::now();
  auto handshake = co_await lab::echo::before_deadline(
      started + options.handshake_timeout, stream.async_handshake(asio::ssl::stream_base::server, use_nothrow_awaitable));
  if (!socket.is_open()) co_return;
  if (!handshake || std::get<0>(*handshake)) {
    report(EventKind::error, socket,
           {.detail = handshake ? "TLS handshake: " + std::get<0>(*handshake).message()
                                : "TLS handshake: no ClientHello within " +
                                      std::to_string(options.handshake_timeout.count()) + " ms"});
    report_and_close(report, socket);
    co_return;
  }
  last_tls = tls_facts(stream.native_handle());
  std::string first_note = handshake_words(last_tls, steady_clock::now() - started);
  const std::chrono::milliseconds linger = options.http.linger_timeout;

  std::string pending;  // plaintext received and not used yet
  for (;;) {
    HttpHead head;
    HttpHeadStatus status = lab::decode::parse_http_head(as_bytes(pending), head);
    while (status == HttpHeadStatus::incomplete && pending.size() < options.http.max_head_bytes) {
      const Received received = co_await receive_more(stream, pending, first_note);
      if (received == Received::stopped) co_return;
      if (received == Received::notified_end) {  // answer the client's close_notify with ours, then close
        co_await close_tls(stream, report, linger, true);
        co_return;
      }
      if (received == Received::end) {
        report_and_close(report, socket);
        co_return;
      }
      if (received == Received::idle) {
        co_await close_tls(stream, report, linger, false);
        co_return;
      }
      status = lab::decode::parse_http_head(as_bytes(pending), head);
    }
    std::optional<HttpAnswer> answer;
    if (status == HttpHeadStatus::incomplete || (status == HttpHeadStatus::complete && head.head_length > options.http.max_head_bytes))
      answer = refusal(431, "the request's head is too long");
    else if (status != HttpHeadStatus::complete)
      answer = refusal(400, status == HttpHeadStatus::not_http ? "not an HTTP request" : std::string(head.error));
    else if (head.body == HttpBodyLength::content_length && head.content_length <= options.http.max_body_bytes &&
             head.content_length <= pending.size() - head.head_length)
      answer = answer_for(head);  // a body already here whole is thrown away below
    else if (head.body != HttpBodyLength::none && head.body != HttpBodyLength::content_length)
      answer = refusal(501, "the HTTPS lab's server reads only bodies of a known Content-Length");
    else if (head.body == HttpBodyLength::content_length)
      answer = refusal(413, "the HTTPS lab's server reads only bodies that came with their head");
    else
      answer = answer_for(head);
    if (status == HttpHeadStatus::complete && !answer->closes)
      pending.erase(0, head.head_length + (head.body == HttpBodyLength::content_length ? head.content_length : 0));

    const std::string response = response_bytes(*answer, options.http.server_name);
    if (options.http.on_served) {
      asio::error_code ignored;  // a peer gone already is logged without its address
      const auto peer = socket.remote_endpoint(ignored);
      HttpServed served{.time_ns = lab::echo::realtime_ns(), .peer = ignored ? "" : lab::echo::endpoint_text(peer)};
      if (status == HttpHeadStatus::complete) {
        served.method = head.method;
        served.target = head.target;
        served.version_minor = head.version_minor;
      }
      served.status = answer->status;
      served.body_bytes = answer->head_only ? 0 : answer->body.size();
      served.closes = answer->closes;
      options.http.on_served(served);
    }
    report(EventKind::send, socket, {.data = response, .detail = sent_words(last_tls, response.size()), .tls = true});
    auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(response), use_nothrow_awaitable);
    if (!socket.is_open()) co_return;
    if (write_error) {
      report(EventKind::error, socket, {.detail = "SSL_write(): " + write_error.message()});
      report_and_close(report, socket);
      co_return;
    }
    if (answer->closes) {  // "Connection: close": the server ends the TLS session first, with its close_notify
      co_await close_tls(stream, report, linger, false);
      co_return;
    }
  }
}

void HttpsPingServer::Impl::stop() {
  if (acceptor.is_open()) report_and_close(report, acceptor);
  for (tcp::socket* client : std::vector<tcp::socket*>(clients.begin(), clients.end())) {
    if (client->is_open()) report_and_close(report, *client);
  }
}

HttpsPingServer::HttpsPingServer(asio::io_context& io, const HttpsServerOptions& options, lab::echo::EchoEventSink sink)
    : impl_(std::make_shared<Impl>(io, options, std::move(sink))) {
  Impl& s = *impl_;
  s.port = listen_tcp(s.acceptor, tcp::endpoint(lab::echo::listen_address(options.http.host), options.http.port));
  s.report(EventKind::listen, s.acceptor);
  asio::co_spawn(io, Impl::accept_clients(impl_), lab::echo::rethrow_if_failed);
}

HttpsPingServer::~HttpsPingServer() {
  impl_->report.mute();
  impl_->stop();
}

std::uint16_t HttpsPingServer::port() const { return impl_->port; }
void HttpsPingServer::stop() { impl_->stop(); }
TlsFacts HttpsPingServer::last_tls() const { return impl_->last_tls; }

}  // namespace lab::web
