// A UDP echo client, the C++ twin of the Python socket tutorial's
//     s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
//     s.sendto(b"Hello?", (HOST, PORT)); data, addr = s.recvfrom(65536)
//     s.close()
// Each message is one datagram. A lost datagram stays lost (UDP does not retransmit), so the client
// waits reply_timeout for each echo and then gives up (with keep_going_after_timeout: counts it lost and sends
// the next message). With ClientOptions::connect_udp the socket is
// connect()ed first and uses send() and recv(), as `s.connect((HOST, PORT)); s.send(...); s.recv(...)`.
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/message_source.hpp"
#include "echo/socket_info.hpp"
#include "echo/udp_limit.hpp"

namespace lab::echo {
namespace {

using asio::ip::udp;
using std::chrono::steady_clock;

// Reports what ended the run, then closes the socket.
ClientResult give_up(udp::socket& socket, const EventReporter& report, const udp::endpoint& server, EventKind kind,
                     const std::string& detail, std::string for_student) {
  report(kind, socket, server, {.detail = detail});
  report_and_close(report, socket, server);
  return {.ok = false, .error = std::move(for_student)};
}

// What a failed send or receive means, in one line. Only a connected socket hears of an ICMP error.
std::string explain(const asio::error_code& error, const udp::endpoint& server) {
  if (error == asio::error::message_size) {
    return "the kernel refused to send the datagram (Message too long): " + udp_limit_reason(server.address().is_v6());
  }
  if (error == asio::error::connection_refused) {
    return "connection refused: nothing listens on " + endpoint_text(server) +
           " (the ICMP port unreachable reached this connected socket)";
  }
  return "no echo from " + endpoint_text(server) + ": " + error.message();
}

// send() on a connected socket, sendto() on an unconnected one.
asio::awaitable<std::tuple<asio::error_code, std::size_t>> send_datagram(udp::socket& socket, bool connected,
                                                                         const std::string& message,
                                                                         const udp::endpoint& server) {
  if (connected) co_return co_await socket.async_send(asio::buffer(message), use_nothrow_awaitable);
  co_return co_await socket.async_send_to(asio::buffer(message), server, use_nothrow_awaitable);
}

// recv() on a connected socket (only the server's datagrams reach it), recvfrom() on an unconnected one.
asio::awaitable<std::tuple<asio::error_code, std::size_t>> receive_datagram(udp::socket& socket, bool connected,
                                                                            std::vector<char>& reply,
                                                                            udp::endpoint& sender) {
  if (connected) co_return co_await socket.async_receive(asio::buffer(reply), use_nothrow_awaitable);
  co_return co_await socket.async_receive_from(asio::buffer(reply), sender, use_nothrow_awaitable);
}

asio::awaitable<ClientResult> run_client(ClientOptions options, EventReporter report) {
  asio::error_code error;
  const auto address = asio::ip::make_address(options.host, error);
  if (error) co_return ClientResult{.ok = false, .error = "not an IPv4 or IPv6 address: \"" + options.host + "\""};
  const udp::endpoint server(address, options.port);

  // Not bound, as in Python: the kernel picks our port at the first sendto() (or at connect()).
  udp::socket socket(co_await asio::this_coro::executor);
  socket.open(server.protocol(), error);
  if (error) co_return ClientResult{.ok = false, .error = "cannot open a UDP socket: " + error.message()};

  // connect() on a UDP socket sends nothing: it fixes the one peer the socket talks to, so that send() and
  // recv() need no address, and the kernel reports to it the ICMP errors about its datagrams (an unconnected
  // socket never hears of them: it just waits for a reply that will not come).
  const bool connected = options.connect_udp;
  if (connected) {
    report(EventKind::connect, socket, server);
    socket.connect(server, error);
    if (error) {
      co_return give_up(socket, report, server, EventKind::error, "connect(): " + error.message(),
                        "cannot connect a UDP socket to " + endpoint_text(server) + ": " + error.message());
    }
  }
  const std::string send_call = connected ? "send()" : "sendto()";
  const std::string receive_call = connected ? "recv()" : "recvfrom()";
  std::vector<char> reply(65536);  // the largest possible datagram fits
  udp::endpoint sender = server;   // recv() on a connected socket only gets datagrams from the server

  std::size_t lost = 0;  // with keep_going_after_timeout: replies that never came
  MessageSource messages(socket.get_executor(), options);
  while (const auto next = co_await messages.next()) {
    const std::string& message = *next;
    report(EventKind::send, socket, server, {.data = message});
    // send() does not wait for the other side: the datagram is handed to the kernel, and that is all.
    auto [send_error, sent] = co_await send_datagram(socket, connected, message, server);
    if (send_error) {  // connected: an ICMP error about an earlier datagram may surface here
      co_return give_up(socket, report, server, EventKind::error, send_call + ": " + send_error.message(),
                        explain(send_error, server));
    }

    auto received = co_await before_deadline(steady_clock::now() + options.reply_timeout,
                                             receive_datagram(socket, connected, reply, sender));
    if (!received) {  // the datagram or its echo was lost, or nobody listens: UDP cannot tell which
      const std::string waited = std::to_string(options.reply_timeout.count()) + " ms";
      if (options.keep_going_after_timeout) {  // count it as lost and go on with the next message
        report(EventKind::timeout, socket, server, {.detail = receive_call + ": nothing within " + waited});
        ++lost;
        continue;
      }
      co_return give_up(socket, report, server, EventKind::timeout, receive_call + ": nothing within " + waited,
                        "no reply within " + waited + ": UDP does not retransmit");
    }
    auto [receive_error, n] = *received;
    if (receive_error) {
      co_return give_up(socket, report, server, EventKind::error, receive_call + ": " + receive_error.message(),
                        explain(receive_error, server));
    }
    const std::string_view echo(reply.data(), n);
    report(EventKind::recv, socket, sender, {.data = echo});
    if (echo != message) {
      co_return give_up(socket, report, server, EventKind::error, "the echo differs from the message",
                        "the server sent back other bytes");
    }
  }
  report_and_close(report, socket, server);  // no packet: there is no connection to end
  if (lost > 0) {
    co_return ClientResult{.ok = false,
                           .error = std::to_string(lost) + " of " + std::to_string(messages.taken()) +
                                    (lost == 1 ? " reply" : " replies") + " never came: UDP does not retransmit"};
  }
  co_return ClientResult{.ok = true, .error = {}};
}

}  // namespace

void start_udp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(Actor::client, std::move(sink))),
                 deliver_result_to(std::move(done)));
}

}  // namespace lab::echo
