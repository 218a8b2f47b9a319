// The HTTPS lab's client: http_ping_client.cpp's requests (get_request_bytes(): the same bytes) over TLS. For each
// connection: connect(), the handshake (SNI "localhost", ALPN http/1.1, the chosen version only, the server's
// certificate not verified: see make_client_context()), then the requests; it ends with close_tls(). Without
// keep-alive each request asks "Connection: close", the server sends its close_notify first, and the client answers
// with its own. Every wait is bounded, and every failure is one line.
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include "capture/decode/http.hpp"
#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"
#include "web/http_messages.hpp"
#include "web/https_ping.hpp"
#include "web/tls_stream.hpp"

namespace lab::web {
namespace {

using asio::ip::tcp;
using lab::decode::HttpBodyLength;
using lab::decode::HttpHead;
using lab::decode::HttpHeadStatus;
using lab::echo::EventKind;
using lab::echo::EventReporter;
using lab::echo::use_nothrow_awaitable;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

std::string ms_text(milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

struct Session {
  TlsStream& stream;
  const EventReporter& report;
  const std::string& server;
  milliseconds reply_timeout;
  TlsFacts tls{};
  std::string first_note{};     // the handshake's facts, for the first send's detail
  std::string pending{};        // plaintext received and not used yet
  bool ended = false;           // SSL_read() returned the end of the stream
  bool peer_notified = false;   // ... with the server's close_notify
  std::string error{};          // when a call failed: the line for the student
};

// One SSL_read(), appended to `pending`. False when it failed (s.error says why); at the end, true when
// `end_is_fine`.
asio::awaitable<bool> receive_more(Session& s, bool end_is_fine, const char* waiting_for) {
  tcp::socket& socket = s.stream.next_layer();
  std::vector<char> data(4096);
  const std::uint64_t before = tls_bytes_read(s.stream.native_handle());
  auto read = co_await lab::echo::before_deadline(steady_clock::now() + s.reply_timeout,
                                                  s.stream.async_read_some(asio::buffer(data), use_nothrow_awaitable));
  if (!read) {
    s.error = std::string("no ") + waiting_for + " from " + s.server + " within " + ms_text(s.reply_timeout);
    s.report(EventKind::timeout, socket, {.detail = s.error});
    co_return false;
  }
  auto [error, n] = *read;
  if (error == asio::error::eof || error == asio::ssl::error::stream_truncated) {
    s.ended = true;
    s.peer_notified = error == asio::error::eof;
    s.report(EventKind::eof, socket, {.detail = s.peer_notified ? "the server's TLS close_notify came"
                                                                : "the server's FIN came without a TLS close_notify",
                                      .tls = true});
    if (end_is_fine) co_return true;
    s.error = std::string("the server closed the connection before the ") + waiting_for + " was complete";
    co_return false;
  }
  if (error) {
    s.error = "SSL_read(): " + error.message();
    s.report(EventKind::error, socket, {.detail = s.error});
    co_return false;
  }
  const std::string_view received(data.data(), n);
  s.report(EventKind::recv, socket,
           {.data = received, .detail = received_words(n, tls_bytes_read(s.stream.native_handle()) - before), .tls = true});
  s.pending += received;
  co_return true;
}

// One response, its body by Content-Length or until the close (the lab's server sends no chunked bodies; this
// client refuses them, where lab client http reads them).
asio::awaitable<bool> read_response(Session& s, HttpResponseSummary& out, bool& persistent) {
  HttpHead head;
  for (int reads = 0;; ++reads) {
    const HttpHeadStatus status = lab::decode::parse_http_head(as_bytes(s.pending), head, "GET");
    if (status == HttpHeadStatus::complete) break;
    if (status != HttpHeadStatus::incomplete) {
      s.error = "the server's answer is not a well-formed HTTP response";
      co_return false;
    }
    if (!co_await receive_more(s, false, "response")) co_return false;
  }
  out.status = head.status;
  out.reason = head.reason;
  out.head_bytes = head.head_length;
  persistent = head.persistent();
  const HttpBodyLength body = head.body;
  std::uint64_t left = head.content_length;
  s.pending.erase(0, head.head_length);  // `head` points into these bytes: not used below
  if (body == HttpBodyLength::chunked || (body != HttpBodyLength::content_length && body != HttpBodyLength::none &&
                                          body != HttpBodyLength::until_close)) {
    s.error = "the server's response has a body this client does not read (chunked)";
    co_return false;
  }
  const bool until_close = body == HttpBodyLength::until_close;
  if (body == HttpBodyLength::none) left = 0;
  for (;;) {
    const std::size_t used =
        until_close ? s.pending.size() : static_cast<std::size_t>(std::min<std::uint64_t>(left, s.pending.size()));
    const std::size_t room = lab::echo::event_data_limit - std::min(out.body_start.size(), lab::echo::event_data_limit);
    out.body_start += std::string_view(s.pending).substr(0, std::min(used, room));
    out.body_bytes += used;
    s.pending.erase(0, used);
    if (!until_close) left -= used;
    if ((!until_close && left == 0) || (until_close && s.ended)) co_return true;
    if (!co_await receive_more(s, until_close, "response body")) co_return false;
  }
}

struct ConnectionEnd {
  bool ok = false;
  bool peer_notified = false;
};

asio::awaitable<ConnectionEnd> one_connection(const HttpsClientOptions& options, asio::ssl::context& context,
                                              const tcp::endpoint& endpoint, const std::string& server,
                                              const EventReporter& report, HttpsClientResult& result) {
  const HttpClientOptions& http = options.http;
  TlsStream stream(co_await asio::this_coro::executor, context);
  tcp::socket& socket = stream.next_layer();
  auto fail = [&](EventKind kind, const std::string& detail, const std::string& for_student) {
    report(kind, socket, {.detail = detail, .peer = server});
    lab::echo::report_and_close(report, socket);
    result.http.ok = false;
    result.http.error = for_student;
    return ConnectionEnd{};
  };
  asio::error_code error;
  socket.open(endpoint.protocol(), error);
  if (error) {
    result.http.error = "cannot open a TCP socket: " + error.message();
    co_return ConnectionEnd{};
  }
  report(EventKind::connect, socket, {.peer = server});
  auto connected = co_await lab::echo::before_deadline(steady_clock::now() + http.connect_timeout,
                                                       socket.async_connect(endpoint, use_nothrow_awaitable));
  if (!connected)
    co_return fail(EventKind::timeout, "connect(): no SYN-ACK within " + ms_text(http.connect_timeout),
                   "no answer from " + server + " within " + ms_text(http.connect_timeout));
  if (auto [connect_error] = *connected; connect_error)
    co_return fail(EventKind::error, "connect(): " + connect_error.message(),
                   connect_error == asio::error::connection_refused ? "connection refused: nothing listens on " + server
                                                                    : connect_error.message());
  // The handshake starts as connect() returns: its start goes on this event, its end on the first send's.
  report(EventKind::connected, socket,
         {.detail = fmt::format("TLS handshake starts: the ClientHello follows (TLS {} only, SNI {}, ALPN http/1.1)",
                                tls_version_name(options.version), options.server_name)});
  const int connection = result.http.connections++;

  // SNI: the name this client asks for, in the ClientHello's clear text (RFC 6066 §3): a capture shows it.
  SSL_set_tlsext_host_name(stream.native_handle(), options.server_name.c_str());
  const auto started = steady_clock::now();
  auto handshake = co_await lab::echo::before_deadline(
      started + http.connect_timeout, stream.async_handshake(asio::ssl::stream_base::client, use_nothrow_awaitable));
  if (!handshake)
    co_return fail(EventKind::timeout, "TLS handshake: no answer within " + ms_text(http.connect_timeout),
                   "the TLS handshake with " + server + " did not finish within " + ms_text(http.connect_timeout));
  if (auto [handshake_error] = *handshake; handshake_error)
    co_return fail(EventKind::error, "TLS handshake: " + handshake_error.message(),
                   "the TLS handshake with " + server + " failed: " + handshake_error.message());
  Session s{stream, report, server, http.reply_timeout};
  s.tls = result.tls = tls_facts(stream.native_handle());
  s.first_note = handshake_words(s.tls, steady_clock::now() - started) +
                 "; the server's certificate is not verified (the lab's throw-away one)";

  const std::string host_field = http.host_field.empty() ? server : http.host_field;
  bool persistent = true;
  while (persistent && static_cast<int>(result.http.responses.size()) < http.requests) {
    const std::string request = get_request_bytes(http.target, host_field, http.user_agent, !http.keep_alive);
    std::string detail = sent_words(s.tls, request.size());
    if (!s.first_note.empty()) detail = s.first_note + "; " + detail;
    s.first_note.clear();
    report(EventKind::send, socket, {.data = request, .detail = detail, .tls = true});
    auto [write_error, written] = co_await asio::async_write(stream, asio::buffer(request), use_nothrow_awaitable);
    if (write_error)
      co_return fail(EventKind::error, "SSL_write(): " + write_error.message(),
                     "sending the request failed: " + write_error.message());
    HttpResponseSummary response{.connection = connection};
    if (!co_await read_response(s, response, persistent)) co_return fail(EventKind::error, s.error, s.error);
    if (http.on_response) http.on_response(response);
    result.http.responses.push_back(std::move(response));
  }
  // "Connection: close": the server ends first; its close_notify (or its FIN) is awaited before ours.
  for (int reads = 0; !persistent && !s.ended; ++reads) {
    if (!co_await receive_more(s, true, "close from the server")) co_return fail(EventKind::error, s.error, s.error);
    if (!s.pending.empty())
      co_return fail(EventKind::error, "SSL_read(): bytes after the response", "the server sent bytes after its response");
  }
  const bool came = co_await close_tls(stream, report, http.reply_timeout, s.peer_notified);
  co_return ConnectionEnd{true, came};
}

asio::awaitable<HttpsClientResult> run_client(HttpsClientOptions options, EventReporter report) {
  HttpsClientResult result;
  if (options.http.requests < 1) {
    result.http.error = "at least one request";
    co_return result;
  }
  asio::ssl::context context = make_client_context(options.version, options.key_log.get());
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(
      options.http.host, std::to_string(options.http.port), use_nothrow_awaitable);
  if (resolve_error || endpoints.empty()) {
    result.http.error = "cannot find the address of \"" + options.http.host + "\"";
    co_return result;
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  const std::string server = lab::echo::endpoint_text(endpoint);
  result.peer_close_notify = true;
  // Bounded: each connection carries at least one response, or the run ends.
  while (static_cast<int>(result.http.responses.size()) < options.http.requests) {
    const ConnectionEnd end = co_await one_connection(options, context, endpoint, server, report, result);
    if (!end.ok) {
      result.peer_close_notify = false;
      co_return result;
    }
    result.close_notifies += end.peer_notified;
    result.peer_close_notify = result.peer_close_notify && end.peer_notified;
  }
  result.http.ok = true;
  co_return result;
}

}  // namespace

void start_https_client(asio::io_context& io, const HttpsClientOptions& options, lab::echo::EchoEventSink sink,
                        HttpsClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(lab::echo::Actor::client, std::move(sink))),
                 [done = std::move(done)](std::exception_ptr failure, HttpsClientResult result) {
                   if (failure) {  // a bug, or out of memory (or OpenSSL unable to make a context)
                     result = {};
                     result.http.error = "internal error";
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& e) {
                       result.http.error += std::string(": ") + e.what();
                     } catch (...) {
                     }
                   }
                   if (done) done(result);
                 });
}

}  // namespace lab::web
