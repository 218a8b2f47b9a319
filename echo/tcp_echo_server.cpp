// A TCP echo server, the C++ twin of the Python socket tutorial's
//     s.bind((HOST, PORT)); s.listen()
//     conn, addr = s.accept()
//     while data := conn.recv(4096): conn.sendall(data)
// except that each client gets its own coroutine, so that any number of them are served at once.
// ServerOptions::close picks how a connection ends; each way is a lesson in what goes on the wire.
#include <set>
#include <stdexcept>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/close_together.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"
#include "echo/tcp_max_segment.hpp"

namespace lab::echo {

using asio::ip::tcp;

// Shared by the server object and its coroutines: whichever ends last frees it.
struct TcpEchoServer::Impl {
  Impl(asio::io_context& io, ServerOptions server_options, EchoEventSink sink)
      : options(std::move(server_options)), acceptor(io), report(Actor::server, std::move(sink)) {}

  void listen(const tcp::endpoint& endpoint);
  static asio::awaitable<void> accept_clients(std::shared_ptr<Impl> server);
  static asio::awaitable<void> serve(std::shared_ptr<Impl> server, tcp::socket client);
  asio::awaitable<void> echo(tcp::socket& client);
  asio::awaitable<void> close_unread(tcp::socket& client);
  asio::awaitable<void> pause_before_reading(bool first);
  void stop();
  bool stopped() const { return !acceptor.is_open(); }

  const ServerOptions options;
  tcp::acceptor acceptor;
  std::set<tcp::socket*> clients;  // every open connection, so that stop() can close them
  EventReporter report;
  std::uint16_t port = 0;
};

namespace {

// Lists a client's socket in `clients` for as long as the coroutine that owns it lives.
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

std::string unread_bytes_text(std::size_t n) {
  return "closing with " + std::to_string(n) + (n == 1 ? " unread byte" : " unread bytes") +
         " in the receive buffer";
}

}  // namespace

// socket(), bind(), listen(): after these the kernel completes handshakes on its own, even before accept().
void TcpEchoServer::Impl::listen(const tcp::endpoint& endpoint) {
  asio::error_code error;
  acceptor.open(endpoint.protocol(), error);
  // SO_REUSEADDR: connections of a previous run may still sit in TIME-WAIT on this port (for a minute on
  // Linux); without it bind() would refuse the port until they are gone.
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  // Set before listen(), so that every connection inherits them from its first packet: the buffer size
  // decides the window (and its scale, fixed in the SYN-ACK), the MSS is announced in the SYN-ACK.
  if (!error && options.receive_buffer > 0) {
    acceptor.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer), error);
  }
  if (!error && options.mss > 0) acceptor.set_option(TcpMaxSegment(options.mss), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw_setup_error(error, "cannot listen on TCP " + endpoint_text(endpoint));
  port = acceptor.local_endpoint().port();
  report(EventKind::listen, acceptor);
}

// accept() in a loop; each connection is then served by a coroutine of its own.
asio::awaitable<void> TcpEchoServer::Impl::accept_clients(std::shared_ptr<Impl> server) {
  for (;;) {
    auto [error, client] = co_await server->acceptor.async_accept(use_nothrow_awaitable);
    if (server->stopped()) co_return;
    if (error) {  // e.g. out of file descriptors: trying again at once would only spin, so stop accepting
      server->report(EventKind::error, server->acceptor, {.detail = "accept(): " + error.message()});
      co_return;
    }
    server->report(EventKind::accept, client);
    asio::co_spawn(server->acceptor.get_executor(), serve(server, std::move(client)), rethrow_if_failed);
  }
}

// One connection, from accept() to close().
asio::awaitable<void> TcpEchoServer::Impl::serve(std::shared_ptr<Impl> server, tcp::socket client) {
  if (server->stopped()) co_return;  // stop() came between accept() and this coroutine's first turn
  const ListedClient listed(server->clients, client);
  if (server->options.close == ServerClose::unread) {
    co_await server->close_unread(client);
  } else {
    co_await server->echo(client);
  }
}

// recv() and send the same bytes back: until the client closes its side of the connection, or just once
// for ServerClose::first and ServerClose::together.
asio::awaitable<void> TcpEchoServer::Impl::echo(tcp::socket& client) {
  std::vector<char> data(4096);  // at most this much per recv(): a long message comes in several pieces

  for (bool first = true;; first = false) {
    co_await pause_before_reading(first);
    auto [read_error, n] = co_await client.async_read_some(asio::buffer(data), use_nothrow_awaitable);
    if (!client.is_open()) co_return;  // stop() closed it
    if (read_error == asio::error::eof) {  // recv() returned 0: the client's FIN came, it will send no more
      report(EventKind::eof, client);
      break;
    }
    if (read_error) {  // e.g. a reset: the connection is gone
      report(EventKind::error, client, {.detail = "recv(): " + read_error.message()});
      break;
    }
    const std::string_view received(data.data(), n);
    report(EventKind::recv, client, {.data = received});

    report(EventKind::send, client, {.data = received});
    auto [write_error, written] = co_await asio::async_write(client, asio::buffer(received), use_nothrow_awaitable);
    if (!client.is_open()) co_return;
    if (write_error) {
      report(EventKind::error, client, {.detail = "send(): " + write_error.message()});
      break;
    }

    if (options.close == ServerClose::first) break;  // close first, while the client still has its side open
    if (options.close == ServerClose::together) {
      if (!co_await options.close_together->arrive()) {
        report(EventKind::timeout, client,
               {.detail = "the client did not come to close within " +
                          std::to_string(options.close_together->wait_limit().count()) + " ms: closing alone"});
      }
      if (!client.is_open()) co_return;
      break;
    }
  }
  report_and_close(report, client);  // our FIN follows
}

// ServerClose::unread: wait until the client's data is here, read none of it, and close. Closing with
// data unread tells the peer it was lost: the kernel sends RST, not FIN (RFC 9293 section 3.6.1,
// RFC 2525 section 2.17).
asio::awaitable<void> TcpEchoServer::Impl::close_unread(tcp::socket& client) {
  auto [wait_error] = co_await client.async_wait(tcp::socket::wait_read, use_nothrow_awaitable);  // no recv()
  if (!client.is_open()) co_return;
  if (wait_error) {
    report(EventKind::error, client, {.detail = "waiting for data: " + wait_error.message()});
    report_and_close(report, client);
    co_return;
  }
  asio::error_code ignored;  // on failure available() says 0, and the detail with it
  const std::size_t unread = client.available(ignored);  // ioctl(FIONREAD): bytes waiting to be read
  report_and_close(report, client, EventDetails{.detail = unread_bytes_text(unread), .resets = unread > 0});
}

// ServerOptions::read_pause (and first_read_pause, before the first recv() only): a slow reader. Meanwhile the data waits in the receive buffer, and the
// window the server announces shrinks.
asio::awaitable<void> TcpEchoServer::Impl::pause_before_reading(bool first) {
  const auto wait = first ? std::max(options.read_pause, options.first_read_pause) : options.read_pause;
  if (wait.count() <= 0) co_return;
  asio::steady_timer pause(co_await asio::this_coro::executor, wait);
  co_await pause.async_wait(use_nothrow_awaitable);
}

// Closing the listening socket ends accept_clients(); closing a connection ends its serve().
void TcpEchoServer::Impl::stop() {
  if (acceptor.is_open()) report_and_close(report, acceptor);
  for (tcp::socket* client : clients) {
    if (!client->is_open()) continue;
    // Bytes that arrived but were not read yet make the kernel answer close() with RST (see close_unread()).
    asio::error_code ignored;
    const std::size_t unread = client->available(ignored);
    report_and_close(report, *client,
                     EventDetails{.detail = unread > 0 ? unread_bytes_text(unread) : "", .resets = unread > 0});
  }
}

TcpEchoServer::TcpEchoServer(asio::io_context& io, const ServerOptions& options, EchoEventSink sink)
    : impl_(std::make_shared<Impl>(io, options, std::move(sink))) {
  if (options.close == ServerClose::together && !options.close_together) {
    throw std::invalid_argument("ServerClose::together needs ServerOptions::close_together");
  }
  impl_->listen(tcp::endpoint(listen_address(options.host), options.port));
  asio::co_spawn(io, Impl::accept_clients(impl_), rethrow_if_failed);
}

TcpEchoServer::~TcpEchoServer() {
  impl_->report.mute();  // whoever received the events may be gone already
  impl_->stop();
}

std::uint16_t TcpEchoServer::port() const { return impl_->port; }

void TcpEchoServer::stop() { impl_->stop(); }

}  // namespace lab::echo
