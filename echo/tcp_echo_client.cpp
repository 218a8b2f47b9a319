// A TCP echo client, the C++ twin of the Python socket tutorial's
//     s.connect((HOST, PORT))
//     s.sendall(b"Hello?"); data = s.recv(1024)
//     s.close()
// with every wait bounded by a timeout, and every failure turned into one line a student can act on.
#include <optional>
#include <string>
#include <string_view>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"

namespace lab::echo {
namespace {

using asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// What ended a run early: the event that says so, and the line for the student.
struct Failure {
  EventKind kind;
  std::string detail;       // the event's detail: the call and the system's words ("connect(): Connection refused")
  std::string for_student;  // ClientResult::error
};

std::string ms_text(milliseconds duration) { return std::to_string(duration.count()) + " ms"; }

// What a failed call means, in one line.
std::string explain(const asio::error_code& error, const std::string& server) {
  if (error == asio::error::connection_refused) return "connection refused: nothing listens on " + server;
  if (error == asio::error::connection_reset) return "connection reset by the server";
  if (error == asio::error::broken_pipe) return "the server closed the connection while we were still sending";
  if (error == asio::error::timed_out) return "the server stopped answering: the kernel gave up retransmitting";
  if (error == asio::error::network_unreachable || error == asio::error::host_unreachable) {
    return "no route to " + server;
  }
  return error.message();
}

Failure failed_call(const char* call, const asio::error_code& error, const std::string& server) {
  return {EventKind::error, std::string(call) + ": " + error.message(), explain(error, server)};
}

Failure no_reply(milliseconds reply_timeout) {
  return {EventKind::timeout, "no echo within " + ms_text(reply_timeout), "no reply within " + ms_text(reply_timeout)};
}

// send() one message, then recv() until as many bytes came back. TCP carries a stream of bytes, not
// messages: the echo may arrive in several pieces, each its own recv().
asio::awaitable<std::optional<Failure>> echo_one(tcp::socket& socket, const std::string& message,
                                                 milliseconds reply_timeout, const EventReporter& report,
                                                 const std::string& server) {
  const auto deadline = steady_clock::now() + reply_timeout;

  report(EventKind::send, socket, {.data = message});
  auto sent =
      co_await before_deadline(deadline, asio::async_write(socket, asio::buffer(message), use_nothrow_awaitable));
  if (!sent) co_return no_reply(reply_timeout);  // the server does not even read what we send
  if (auto [error, n] = *sent; error) co_return failed_call("send()", error, server);

  std::string echo(message.size(), '\0');
  std::size_t received = 0;
  while (received < echo.size()) {
    auto read = co_await before_deadline(
        deadline, socket.async_read_some(asio::buffer(echo.data() + received, echo.size() - received),
                                         use_nothrow_awaitable));
    if (!read) co_return no_reply(reply_timeout);
    auto [error, n] = *read;
    if (error == asio::error::eof) {  // the server's FIN came before the whole echo
      const std::string got = std::to_string(received) + " of " + std::to_string(echo.size()) + " bytes";
      co_return Failure{EventKind::eof, "after " + got, "the server closed the connection after echoing " + got};
    }
    if (error) co_return failed_call("recv()", error, server);
    report(EventKind::recv, socket, {.data = std::string_view(echo).substr(received, n)});
    received += n;
  }
  if (echo != message) {
    co_return Failure{EventKind::error, "the echo differs from the message", "the server sent back other bytes"};
  }
  co_return std::nullopt;
}

// Reports what ended the run, then closes the socket.
ClientResult give_up(tcp::socket& socket, const EventReporter& report, const std::string& server,
                     const Failure& failure) {
  report(failure.kind, socket, {.detail = failure.detail, .peer = server});
  report_and_close(report, socket);
  return {.ok = false, .error = failure.for_student};
}

asio::awaitable<ClientResult> run_client(ClientOptions options, EventReporter report) {
  asio::error_code error;
  const auto address = asio::ip::make_address(options.host, error);
  if (error) co_return ClientResult{.ok = false, .error = "not an IPv4 or IPv6 address: \"" + options.host + "\""};
  const tcp::endpoint server_endpoint(address, options.port);
  const std::string server = endpoint_text(server_endpoint);

  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(server_endpoint.protocol(), error);  // opened here, so that the connect event has a socket
  if (error) co_return ClientResult{.ok = false, .error = "cannot open a TCP socket: " + error.message()};

  report(EventKind::connect, socket, {.peer = server});  // the SYN follows
  auto connected = co_await before_deadline(steady_clock::now() + options.connect_timeout,
                                            socket.async_connect(server_endpoint, use_nothrow_awaitable));
  if (!connected) {  // SYNs lost or dropped by a firewall: the kernel would keep retrying for minutes
    co_return give_up(socket, report, server,
                      {EventKind::timeout, "connect(): no SYN-ACK within " + ms_text(options.connect_timeout),
                       "no answer from " + server + " within " + ms_text(options.connect_timeout)});
  }
  if (auto [connect_error] = *connected; connect_error) {
    co_return give_up(socket, report, server, failed_call("connect()", connect_error, server));
  }
  report(EventKind::connected, socket);

  for (const std::string& message : options.messages) {
    if (auto failure = co_await echo_one(socket, message, options.reply_timeout, report, server)) {
      co_return give_up(socket, report, server, *failure);
    }
  }
  report_and_close(report, socket);  // the client closes first: its FIN starts the teardown
  co_return ClientResult{.ok = true, .error = {}};
}

}  // namespace

void start_tcp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(Actor::client, std::move(sink))),
                 deliver_result_to(std::move(done)));
}

}  // namespace lab::echo
