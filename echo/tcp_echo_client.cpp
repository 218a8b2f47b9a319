// A TCP echo client, the C++ twin of the Python socket tutorial's
//     s.connect((HOST, PORT))
//     s.sendall(b"Hello?"); data = s.recv(1024)
//     s.close()
// with every wait bounded by a timeout, and every failure turned into one line a student can act on.
// Unlike that tutorial, it reads the echo while it sends (see echo_one()), so a message of any size comes
// back whole instead of deadlocking once it outgrows the socket buffers.
// ClientOptions::close picks how the connection ends: a FIN (the usual), a RST, a half-close, after the
// server's FIN, or at the same instant as the server.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/close_together.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/message_source.hpp"
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

// One exchange's writer and reader: two coroutines on one socket, run together, sharing one fate. The
// first failure is the one the client reports, and it cancel()s the other half's pending call (which
// then returns operation_aborted), so that neither waits for a peer that will not answer.
struct Halves {
  tcp::socket& socket;
  const EventReporter& report;
  const std::string& server;
  std::optional<Failure> failure{};

  void fail(Failure why) {
    if (failure) return;  // the first one is the cause; what the other half sees next is its consequence
    failure = std::move(why);
    asio::error_code ignored;  // cancel() only fails on a socket that is not open
    socket.cancel(ignored);
  }
  bool failed() const { return failure.has_value(); }
};

// send(), for as long as it takes: async_write() hands the kernel the whole message, a piece each time
// the send buffer has room. It sets no deadline of its own: the reader bounds every wait, and stops it.
asio::awaitable<void> write_message(Halves& halves, const std::string& message) {
  halves.report(EventKind::send, halves.socket, {.data = message});
  auto [error, n] = co_await asio::async_write(halves.socket, asio::buffer(message), use_nothrow_awaitable);
  if (error && !halves.failed()) halves.fail(failed_call("send()", error, halves.server));
}

// ClientClose::half_close: every message, then shutdown(SHUT_WR): our FIN says we will send no more, yet
// the connection stays open the other way.
asio::awaitable<void> write_all_then_shutdown(Halves& halves, const std::vector<std::string>& messages) {
  for (const std::string& message : messages) {
    co_await write_message(halves, message);
    if (halves.failed()) co_return;
  }
  halves.report(EventKind::shutdown, halves.socket);  // our FIN follows
  asio::error_code error;
  halves.socket.shutdown(tcp::socket::shutdown_send, error);
  if (error) halves.fail(failed_call("shutdown()", error, halves.server));
}

std::string bytes_of(std::size_t got, std::size_t all) {
  return std::to_string(got) + " of " + std::to_string(all) + " bytes";
}

Failure echo_stopped(std::size_t received, std::size_t expected, milliseconds silence) {
  if (received == 0) return no_reply(silence);
  const std::string got = bytes_of(received, expected);
  return {EventKind::timeout, "the echo stopped after " + got,
          "the echo stopped after " + got + ": nothing more within " + ms_text(silence)};
}

// recv() until the echo of `expected` is all back. TCP carries a stream of bytes, not messages: the echo
// comes in pieces, each its own recv(). Each recv() waits at most `silence`.
asio::awaitable<void> read_echo(Halves& halves, std::string_view expected, milliseconds silence) {
  std::string echo(expected.size(), '\0');
  std::size_t received = 0;
  while (received < echo.size()) {
    auto read = co_await before_deadline(steady_clock::now() + silence,
                                         halves.socket.async_read_some(
                                             asio::buffer(echo.data() + received, echo.size() - received),
                                             use_nothrow_awaitable));
    if (halves.failed()) co_return;  // the writer failed, and says why
    if (!read) {
      halves.fail(echo_stopped(received, echo.size(), silence));
      co_return;
    }
    auto [error, n] = *read;
    if (error == asio::error::eof) {  // the server's FIN came before the whole echo
      const std::string got = bytes_of(received, echo.size());
      halves.fail({EventKind::eof, "after " + got, "the server closed the connection after echoing " + got});
      co_return;
    }
    if (error) {
      halves.fail(failed_call("recv()", error, halves.server));
      co_return;
    }
    halves.report(EventKind::recv, halves.socket, {.data = std::string_view(echo).substr(received, n)});
    received += n;
  }
  if (echo != expected) {
    halves.fail({EventKind::error, "the echo differs from the message", "the server sent back other bytes"});
  }
}

// One message, sent and read back at the same time: `&&` runs the writer and the reader together and
// waits for both. Reading only after writing everything is the classic deadlock: once the message
// outgrows the socket buffers, the server blocks sending an echo nobody reads, so it stops reading
// too, and both windows fall to zero.
asio::awaitable<std::optional<Failure>> echo_one(tcp::socket& socket, const std::string& message,
                                                 milliseconds reply_timeout, const EventReporter& report,
                                                 const std::string& server) {
  using namespace asio::experimental::awaitable_operators;
  Halves halves{socket, report, server};
  co_await (write_message(halves, message) && read_echo(halves, message, reply_timeout));
  co_return halves.failure;
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

// ClientClose::half_close, the reading side: every echo, then the server's FIN.
asio::awaitable<void> read_echoes_then_eof(Halves& halves, const ClientOptions& options) {
  std::string expected;
  for (const std::string& message : options.messages) expected += message;
  co_await read_echo(halves, expected, options.reply_timeout);
  if (halves.failed()) co_return;
  if (auto failure = co_await wait_for_server_close(halves.socket, options.reply_timeout, halves.report, halves.server))
    halves.fail(std::move(*failure));
}

// ClientClose::half_close: send every message and shutdown(SHUT_WR) while reading the echoes, until the
// server closes too. Writer and reader run together, as in echo_one().
asio::awaitable<std::optional<Failure>> half_close_exchange(tcp::socket& socket, const ClientOptions& options,
                                                            const EventReporter& report, const std::string& server) {
  using namespace asio::experimental::awaitable_operators;
  Halves halves{socket, report, server};
  co_await (write_all_then_shutdown(halves, options.messages) && read_echoes_then_eof(halves, options));
  co_return halves.failure;
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
  if (options.close == ClientClose::half_close && options.lines_fd >= 0) {
    co_return ClientResult{.ok = false, .error = "ClientClose::half_close needs its messages in advance"};
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
    if (auto failure = co_await half_close_exchange(socket, options, report, server)) {
      co_return give_up(socket, report, server, *failure);
    }
  } else {
    MessageSource messages(socket.get_executor(), options);
    while (const auto message = co_await messages.next()) {
      if (auto failure = co_await echo_one(socket, *message, options.reply_timeout, report, server)) {
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
