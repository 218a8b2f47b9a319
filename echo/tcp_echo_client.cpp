// A TCP echo client, the C++ twin of the Python socket tutorial's
//     s.connect((HOST, PORT))
//     s.sendall(b"Hello?"); data = s.recv(1024)
//     s.close()
// with every wait bounded by a timeout, and every failure turned into one line a student can act on.
// ClientOptions::close picks how the connection ends: a FIN (the usual), a RST, a half-close, after the
// server's FIN, or at the same instant as the server.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/close_together.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"
#include "echo/tcp_max_segment.hpp"

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

// ClientClose::half_close: send every message, then shutdown(SHUT_WR): our FIN says we will send no more,
// yet the connection stays open the other way. Then recv() the echoes until the server closes too. The
// echoes wait in our receive buffer while we send: fine for messages that fit in the socket buffers
// (hundreds of kB on loopback); beyond that each side would wait for the other until reply_timeout.
asio::awaitable<std::optional<Failure>> send_all_then_read_echoes(tcp::socket& socket, const ClientOptions& options,
                                                                  const EventReporter& report,
                                                                  const std::string& server) {
  std::string expected;
  for (const std::string& message : options.messages) {
    report(EventKind::send, socket, {.data = message});
    auto sent = co_await before_deadline(steady_clock::now() + options.reply_timeout,
                                         asio::async_write(socket, asio::buffer(message), use_nothrow_awaitable));
    if (!sent) co_return no_reply(options.reply_timeout);
    if (auto [error, n] = *sent; error) co_return failed_call("send()", error, server);
    expected += message;
  }

  report(EventKind::shutdown, socket);  // our FIN follows
  asio::error_code error;
  socket.shutdown(tcp::socket::shutdown_send, error);
  if (error) co_return failed_call("shutdown()", error, server);

  std::string echoed;
  std::vector<char> piece(64 * 1024);
  for (;;) {
    auto read = co_await before_deadline(steady_clock::now() + options.reply_timeout,
                                         socket.async_read_some(asio::buffer(piece), use_nothrow_awaitable));
    if (!read) co_return no_reply(options.reply_timeout);
    auto [read_error, n] = *read;
    if (read_error == asio::error::eof) break;  // the server's FIN: it echoed everything it will
    if (read_error) co_return failed_call("recv()", read_error, server);
    report(EventKind::recv, socket, {.data = std::string_view(piece.data(), n)});
    echoed.append(piece.data(), n);
  }
  report(EventKind::eof, socket);

  if (echoed.size() < expected.size()) {
    const std::string got = std::to_string(echoed.size()) + " of " + std::to_string(expected.size()) + " bytes";
    co_return Failure{EventKind::error, "the echo ended after " + got,
                      "the server closed the connection after echoing " + got};
  }
  if (echoed != expected) {
    co_return Failure{EventKind::error, "the echo differs from the messages", "the server sent back other bytes"};
  }
  co_return std::nullopt;
}

// ClientClose::after_server: recv() once more and expect 0, the server's FIN: its close() comes first.
asio::awaitable<std::optional<Failure>> wait_for_server_close(tcp::socket& socket, milliseconds reply_timeout,
                                                              const EventReporter& report, const std::string& server) {
  char byte = 0;
  auto read = co_await before_deadline(steady_clock::now() + reply_timeout,
                                       socket.async_read_some(asio::buffer(&byte, 1), use_nothrow_awaitable));
  if (!read) {
    co_return Failure{EventKind::timeout, "recv(): no FIN within " + ms_text(reply_timeout),
                      "the server did not close the connection within " + ms_text(reply_timeout)};
  }
  auto [error, n] = *read;
  if (error == asio::error::eof) {
    report(EventKind::eof, socket);
    co_return std::nullopt;
  }
  if (error) co_return failed_call("recv()", error, server);
  co_return Failure{EventKind::error, "recv(): bytes after the last echo", "the server sent more bytes than it got"};
}

// ClientClose::together: wait for the server to be ready to close as well (see CloseTogether).
asio::awaitable<std::optional<Failure>> meet_the_server(CloseTogether& close_together) {
  if (co_await close_together.arrive()) co_return std::nullopt;
  const std::string waited = ms_text(close_together.wait_limit());
  co_return Failure{EventKind::timeout, "the server did not come to close within " + waited,
                    "the server did not come to close together within " + waited};
}

// close(): our FIN; or with ClientClose::abort, SO_LINGER {on, 0 s} first, and close() then drops the
// connection at once: RST instead of FIN, anything unsent thrown away, and no TIME-WAIT.
void close_connection(tcp::socket& socket, ClientClose how, const EventReporter& report) {
  if (how != ClientClose::abort) {
    report_and_close(report, socket);
    return;
  }
  asio::error_code ignored;  // setting SO_LINGER only fails on a socket that is not open
  socket.set_option(asio::socket_base::linger(true, 0), ignored);
  report_and_close(report, socket, EventDetails{.detail = "SO_LINGER 0: abortive close", .resets = true});
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
  if (options.close == ClientClose::together && !options.close_together) {
    co_return ClientResult{.ok = false, .error = "ClientClose::together needs ClientOptions::close_together"};
  }

  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(server_endpoint.protocol(), error);  // opened here, so that the connect event has a socket
  if (error) co_return ClientResult{.ok = false, .error = "cannot open a TCP socket: " + error.message()};
  if (options.mss > 0) {  // before connect(), so that the SYN announces it
    socket.set_option(TcpMaxSegment(options.mss), error);
    if (error) {
      co_return ClientResult{.ok = false, .error = "cannot set the MSS to " + std::to_string(options.mss) +
                                                   " bytes (TCP_MAXSEG): " + error.message()};
    }
  }

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

  if (options.close == ClientClose::half_close) {
    if (auto failure = co_await send_all_then_read_echoes(socket, options, report, server)) {
      co_return give_up(socket, report, server, *failure);
    }
  } else {
    for (const std::string& message : options.messages) {
      if (auto failure = co_await echo_one(socket, message, options.reply_timeout, report, server)) {
        co_return give_up(socket, report, server, *failure);
      }
    }
  }

  std::optional<Failure> not_ready;  // what some endings wait for before close()
  if (options.close == ClientClose::after_server) {
    not_ready = co_await wait_for_server_close(socket, options.reply_timeout, report, server);
  } else if (options.close == ClientClose::together) {
    not_ready = co_await meet_the_server(*options.close_together);
  }
  if (not_ready) co_return give_up(socket, report, server, *not_ready);

  close_connection(socket, options.close, report);  // normally the client closes first: its FIN starts the teardown
  co_return ClientResult{.ok = true, .error = {}};
}

}  // namespace

void start_tcp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(Actor::client, std::move(sink))),
                 deliver_result_to(std::move(done)));
}

}  // namespace lab::echo
