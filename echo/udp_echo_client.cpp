// A UDP echo client, the C++ twin of the Python socket tutorial's
//     s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
//     s.sendto(b"Hello?", (HOST, PORT)); data, addr = s.recvfrom(65536)
//     s.close()
// Each message is one datagram. A lost datagram stays lost (UDP does not retransmit), so the client
// waits reply_timeout for each echo and then gives up.
#include <string>
#include <string_view>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"

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

asio::awaitable<ClientResult> run_client(ClientOptions options, EventReporter report) {
  asio::error_code error;
  const auto address = asio::ip::make_address(options.host, error);
  if (error) co_return ClientResult{.ok = false, .error = "not an IPv4 or IPv6 address: \"" + options.host + "\""};
  const udp::endpoint server(address, options.port);

  // Not connected and not bound, as in Python: the kernel picks our port at the first sendto().
  udp::socket socket(co_await asio::this_coro::executor);
  socket.open(server.protocol(), error);
  if (error) co_return ClientResult{.ok = false, .error = "cannot open a UDP socket: " + error.message()};
  std::vector<char> reply(65536);  // the largest possible datagram fits
  udp::endpoint sender;

  for (const std::string& message : options.messages) {
    report(EventKind::send, socket, server, {.data = message});
    // sendto() does not wait for the other side: the datagram is handed to the kernel, and that is all.
    auto [send_error, sent] = co_await socket.async_send_to(asio::buffer(message), server, use_nothrow_awaitable);
    if (send_error) {
      co_return give_up(socket, report, server, EventKind::error, "sendto(): " + send_error.message(),
                        "cannot send to " + endpoint_text(server) + ": " + send_error.message());
    }

    auto received = co_await before_deadline(steady_clock::now() + options.reply_timeout,
                                             socket.async_receive_from(asio::buffer(reply), sender,
                                                                       use_nothrow_awaitable));
    if (!received) {  // the datagram or its echo was lost, or nobody listens: UDP cannot tell which
      const std::string waited = std::to_string(options.reply_timeout.count()) + " ms";
      co_return give_up(socket, report, server, EventKind::timeout, "recvfrom(): nothing within " + waited,
                        "no reply within " + waited + ": UDP does not retransmit");
    }
    auto [receive_error, n] = *received;
    if (receive_error) {
      co_return give_up(socket, report, server, EventKind::error, "recvfrom(): " + receive_error.message(),
                        "no reply: " + receive_error.message());
    }
    const std::string_view echo(reply.data(), n);
    report(EventKind::recv, socket, sender, {.data = echo});
    if (echo != message) {
      co_return give_up(socket, report, server, EventKind::error, "the echo differs from the message",
                        "the server sent back other bytes");
    }
  }
  report_and_close(report, socket, server);  // no packet: there is no connection to end
  co_return ClientResult{.ok = true, .error = {}};
}

}  // namespace

void start_udp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done) {
  asio::co_spawn(io, run_client(options, EventReporter(Actor::client, std::move(sink))),
                 deliver_result_to(std::move(done)));
}

}  // namespace lab::echo
