// The web lab's client, curl's minimal twin: for each request, GET /ping; read the response head, then its
// body by what the head says about its end (Content-Length, chunked, or the server's close). With keep-alive
// every request goes on one connection and the client closes it at the end (its FIN first); without, each
// request asks "Connection: close" on a connection of its own, and the server closes first (its FIN).
// Every wait is bounded, and every failure becomes one line a student can act on.
#include <optional>
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

// What ended a run early: the event that says so, and the line for the student.
struct Failure {
  EventKind kind;
  std::string detail;
  std::string for_student;
};

std::string ms_text(milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

Failure failed_call(const char* call, const asio::error_code& error, const std::string& server) {
  std::string why = error.message();
  if (error == asio::error::connection_refused) why = "connection refused: nothing listens on " + server;
  else if (error == asio::error::connection_reset) why = "connection reset by the server";
  else if (error == asio::error::broken_pipe) why = "the server closed the connection while we were still sending";
  return {EventKind::error, std::string(call) + ": " + error.message(), why};
}

// One connection's socket and what it received but has not used yet.
struct Connection {
  tcp::socket& socket;
  const EventReporter& report;
  const std::string& server;
  milliseconds reply_timeout;
  std::string pending{};
  bool ended = false;  // recv() returned 0: the server's FIN came
};

// One recv(), appended to `pending`. nullopt: bytes came, or the end when `end_is_fine` (it is then `ended`).
asio::awaitable<std::optional<Failure>> receive_more(Connection& c, bool end_is_fine, const char* waiting_for) {
  std::vector<char> data(4096);
  auto read = co_await lab::echo::before_deadline(steady_clock::now() + c.reply_timeout,
                                                  c.socket.async_read_some(asio::buffer(data), use_nothrow_awaitable));
  if (!read) {
    co_return Failure{EventKind::timeout, std::string("no ") + waiting_for + " within " + ms_text(c.reply_timeout),
                      std::string("no ") + waiting_for + " from " + c.server + " within " + ms_text(c.reply_timeout)};
  }
  auto [error, n] = *read;
  if (error == asio::error::eof) {
    c.ended = true;
    c.report(EventKind::eof, c.socket);
    if (end_is_fine) co_return std::nullopt;
    co_return Failure{EventKind::error, std::string("recv(): the connection closed before the ") + waiting_for,
                      std::string("the server closed the connection before the ") + waiting_for + " was complete"};
  }
  if (error) co_return failed_call("recv()", error, c.server);
  const std::string_view received(data.data(), n);
  c.report(EventKind::recv, c.socket, {.data = received});
  c.pending += received;
  co_return std::nullopt;
}

// One response, head and body; its summary goes to `out`. `persistent`: the connection may carry another request.
asio::awaitable<std::optional<Failure>> read_response(Connection& c, HttpResponseSummary& out, bool& persistent) {
  HttpHead head;
  for (;;) {
    const HttpHeadStatus status = lab::decode::parse_http_head(as_bytes(c.pending), head, "GET");
    if (status == HttpHeadStatus::complete) break;
    if (status == HttpHeadStatus::not_http)
      co_return Failure{EventKind::error, "the answer is not HTTP", "the server's answer is not HTTP"};
    if (status == HttpHeadStatus::malformed)
      co_return Failure{EventKind::error, "a malformed response: " + std::string(head.error),
                        "the server's response is malformed: " + std::string(head.error)};
    if (auto failure = co_await receive_more(c, false, "response")) co_return failure;
  }
  out.status = head.status;
  out.reason = head.reason;
  out.head_bytes = head.head_length;
  persistent = head.persistent();
  const HttpBodyLength body = head.body;
  const std::uint64_t content_length = head.content_length;
  c.pending.erase(0, head.head_length);  // `head` points into these bytes: not used below

  auto keep_start = [&out](std::string_view bytes) {
    const std::size_t room = lab::echo::event_data_limit - std::min(out.body_start.size(), lab::echo::event_data_limit);
    out.body_start += bytes.substr(0, room);
  };
  if (body == HttpBodyLength::content_length) {
    std::uint64_t left = content_length;
    for (;;) {
      const auto used = static_cast<std::size_t>(std::min<std::uint64_t>(left, c.pending.size()));
      keep_start(std::string_view(c.pending).substr(0, used));
      c.pending.erase(0, used);
      left -= used;
      out.body_bytes += used;
      if (left == 0) break;
      if (auto failure = co_await receive_more(c, false, "response body")) co_return failure;
    }
  } else if (body == HttpBodyLength::chunked) {
    lab::decode::ChunkedBody chunked;
    for (;;) {
      const auto step = chunked.feed(as_bytes(c.pending));
      c.pending.erase(0, step.used);
      out.body_bytes = chunked.data_bytes();
      if (step.status == lab::decode::ChunkedBody::Status::done) break;
      if (step.status == lab::decode::ChunkedBody::Status::malformed)
        co_return Failure{EventKind::error, "a malformed chunked body: " + std::string(chunked.error()),
                          "the server's chunked body is malformed: " + std::string(chunked.error())};
      if (auto failure = co_await receive_more(c, false, "response body")) co_return failure;
    }
  } else if (body == HttpBodyLength::until_close) {  // the body is everything until the server's FIN
    for (;;) {
      keep_start(c.pending);
      out.body_bytes += c.pending.size();
      c.pending.clear();
      if (c.ended) break;
      if (auto failure = co_await receive_more(c, true, "end of the body")) co_return failure;
    }
  }
  co_return std::nullopt;
}

// Reports what ended the run, then closes the socket.
void give_up(tcp::socket& socket, const EventReporter& report, const std::string& server, const Failure& failure,
             HttpClientResult& result) {
  report(failure.kind, socket, {.detail = failure.detail, .peer = server});
  lab::echo::report_and_close(report, socket);
  result.ok = false;
  result.error = failure.for_student;
}

// One connection: connect, then requests until they are all sent or the server will take no more on it.
// Returns false when the run failed (the result says why).
asio::awaitable<bool> one_connection(const HttpClientOptions& options, const tcp::endpoint& endpoint,
                                     const std::string& server, const EventReporter& report,
                                     HttpClientResult& result) {
  tcp::socket socket(co_await asio::this_coro::executor);
  asio::error_code error;
  socket.open(endpoint.protocol(), error);  // opened here, so that the connect event has a socket
  if (error) {
    result.error = "cannot open a TCP socket: " + error.message();
    co_return false;
  }
  report(EventKind::connect, socket, {.peer = server});  // the SYN follows
  auto connected = co_await lab::echo::before_deadline(steady_clock::now() + options.connect_timeout,
                                                       socket.async_connect(endpoint, use_nothrow_awaitable));
  if (!connected) {
    give_up(socket, report, server,
            {EventKind::timeout, "connect(): no SYN-ACK within " + ms_text(options.connect_timeout),
             "no answer from " + server + " within " + ms_text(options.connect_timeout)},
            result);
    co_return false;
  }
  if (auto [connect_error] = *connected; connect_error) {
    give_up(socket, report, server, failed_call("connect()", connect_error, server), result);
    co_return false;
  }
  report(EventKind::connected, socket);
  const int connection = result.connections++;

  const std::string host_field = options.host_field.empty() ? server : options.host_field;
  Connection c{socket, report, server, options.reply_timeout};
  bool persistent = true;
  while (persistent && static_cast<int>(result.responses.size()) < options.requests) {
    const std::string request =
        get_request_bytes(options.target, host_field, options.user_agent, !options.keep_alive);
    report(EventKind::send, socket, {.data = request});
    auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(request), use_nothrow_awaitable);
    if (write_error) {
      give_up(socket, report, server, failed_call("send()", write_error, server), result);
      co_return false;
    }
    HttpResponseSummary response{.connection = connection};
    if (auto failure = co_await read_response(c, response, persistent)) {
      give_up(socket, report, server, *failure, result);
      co_return false;
    }
    if (options.on_response) options.on_response(response);
    result.responses.push_back(std::move(response));
  }
  if (!persistent) {
    // The server said it closes ("Connection: close"): wait for its FIN, so that its close comes first, as it
    // said; then close our side.
    while (!c.ended) {
      if (auto failure = co_await receive_more(c, true, "close from the server")) {
        give_up(socket, report, server, *failure, result);
        co_return false;
      }
      if (!c.pending.empty()) {
        give_up(socket, report, server,
                {EventKind::error, "recv(): bytes after the response", "the server sent bytes after its response"},
                result);
        co_return false;
      }
    }
  }
  lab::echo::report_and_close(report, socket);  // keep-alive: the client's FIN is the first
  co_return true;
}

asio::awaitable<HttpClientResult> run_client(HttpClientOptions options, EventReporter report) {
  HttpClientResult result;
  if (options.requests < 1) {
    result.error = "at least one request";
    co_return result;
  }
  // A literal is used as it is; a name goes through Asio's resolver (the system's: /etc/hosts, DNS).
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(options.host, std::to_string(options.port), use_nothrow_awaitable);
  if (resolve_error || endpoints.empty()) {
    result.error = "cannot find the address of \"" + options.host + "\": " +
                   (resolve_error ? resolve_error.message() : std::string("no address"));
    co_return result;
  }
  const tcp::endpoint endpoint = endpoints.begin()->endpoint();
  const std::string server = lab::echo::endpoint_text(endpoint);
  while (static_cast<int>(result.responses.size()) < options.requests) {
    if (!co_await one_connection(options, endpoint, server, report, result)) co_return result;
  }
  result.ok = true;
  co_return result;
}

}  // namespace

void start_http_client(asio::io_context& io, const HttpClientOptions& options, lab::echo::EchoEventSink sink,
                       HttpClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(lab::echo::Actor::client, std::move(sink))),
                 [done = std::move(done)](std::exception_ptr failure, HttpClientResult result) {
                   if (failure) {  // a bug, or out of memory: a failed result instead of a lost one
                     result = {};
                     result.error = "internal error";
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& e) {
                       result.error += std::string(": ") + e.what();
                     } catch (...) {
                     }
                   }
                   if (done) done(result);
                 });
}

}  // namespace lab::web
