// A UDP echo server, the C++ twin of the Python socket tutorial's
//     s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((HOST, PORT))
//     while True:
//         data, addr = s.recvfrom(65536)
//         s.sendto(data, addr)
// No listen(), no accept(), no connections: one socket serves everyone, and every datagram stands alone.
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

using asio::ip::udp;

// Shared by the server object and its coroutine: whichever ends last frees it.
struct UdpEchoServer::Impl {
  Impl(asio::io_context& io, EchoEventSink sink) : socket(io), report(Actor::server, std::move(sink)) {}

  void bind(const udp::endpoint& endpoint);
  static asio::awaitable<void> echo_datagrams(std::shared_ptr<Impl> server);
  void stop();

  udp::socket socket;
  EventReporter report;
  std::uint16_t port = 0;
};

// socket(), bind(): from now on datagrams to this port wait in the socket's receive queue.
void UdpEchoServer::Impl::bind(const udp::endpoint& endpoint) {
  asio::error_code error;
  socket.open(endpoint.protocol(), error);
  if (!error) socket.bind(endpoint, error);
  if (error) throw_setup_error(error, "cannot bind UDP " + endpoint_text(endpoint));
  port = socket.local_endpoint().port();
  report(EventKind::listen, socket, udp::endpoint{});
}

// recvfrom() a datagram, sendto() it back to whoever sent it; forever, until stop().
asio::awaitable<void> UdpEchoServer::Impl::echo_datagrams(std::shared_ptr<Impl> server) {
  udp::socket& socket = server->socket;
  const EventReporter& report = server->report;
  std::vector<char> data(65536);  // the largest possible datagram fits, so none is ever cut short
  udp::endpoint sender;

  for (;;) {
    auto [receive_error, n] = co_await socket.async_receive_from(asio::buffer(data), sender, use_nothrow_awaitable);
    if (!socket.is_open()) co_return;  // stop() closed it
    if (receive_error) {  // not expected on an unconnected UDP socket; trying again at once could spin
      report(EventKind::error, socket, sender, {.detail = "recvfrom(): " + receive_error.message()});
      co_return;
    }
    const std::string_view received(data.data(), n);
    report(EventKind::recv, socket, sender, {.data = received});

    report(EventKind::send, socket, sender, {.data = received});
    auto [send_error, sent] = co_await socket.async_send_to(asio::buffer(received), sender, use_nothrow_awaitable);
    if (!socket.is_open()) co_return;
    if (send_error) {  // this datagram is lost; the next sender may well be fine
      report(EventKind::error, socket, sender, {.detail = "sendto(): " + send_error.message()});
    }
  }
}

void UdpEchoServer::Impl::stop() {
  if (socket.is_open()) report_and_close(report, socket, udp::endpoint{});
}

UdpEchoServer::UdpEchoServer(asio::io_context& io, const ServerOptions& options, EchoEventSink sink)
    : impl_(std::make_shared<Impl>(io, std::move(sink))) {
  impl_->bind(udp::endpoint(listen_address(options.host), options.port));
  asio::co_spawn(io, Impl::echo_datagrams(impl_), rethrow_if_failed);
}

UdpEchoServer::~UdpEchoServer() {
  impl_->report.mute();  // whoever received the events may be gone already
  impl_->stop();
}

std::uint16_t UdpEchoServer::port() const { return impl_->port; }

void UdpEchoServer::stop() { impl_->stop(); }

}  // namespace lab::echo
