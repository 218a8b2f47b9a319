// A TCP echo server, the C++ twin of the Python socket tutorial's
//     s.bind((HOST, PORT)); s.listen()
//     conn, addr = s.accept()
//     while data := conn.recv(4096): conn.sendall(data)
// except that each client gets its own coroutine, so that any number of them are served at once.
#include <set>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"
#include "echo/echo.hpp"
#include "echo/event_reporter.hpp"
#include "echo/socket_info.hpp"

namespace lab::echo {

using asio::ip::tcp;

// Shared by the server object and its coroutines: whichever ends last frees it.
struct TcpEchoServer::Impl {
  Impl(asio::io_context& io, EchoEventSink sink) : acceptor(io), report(Actor::server, std::move(sink)) {}

  void listen(const tcp::endpoint& endpoint);
  static asio::awaitable<void> accept_clients(std::shared_ptr<Impl> server);
  static asio::awaitable<void> echo(std::shared_ptr<Impl> server, tcp::socket client);
  void stop();
  bool stopped() const { return !acceptor.is_open(); }

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

}  // namespace

// socket(), bind(), listen(): after these the kernel completes handshakes on its own, even before accept().
void TcpEchoServer::Impl::listen(const tcp::endpoint& endpoint) {
  asio::error_code error;
  acceptor.open(endpoint.protocol(), error);
  // SO_REUSEADDR: connections of a previous run may still sit in TIME-WAIT on this port (for a minute on
  // Linux); without it bind() would refuse the port until they are gone.
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw_setup_error(error, "cannot listen on TCP " + endpoint_text(endpoint));
  port = acceptor.local_endpoint().port();
  report(EventKind::listen, acceptor);
}

// accept() in a loop; each connection is then echoed by a coroutine of its own.
asio::awaitable<void> TcpEchoServer::Impl::accept_clients(std::shared_ptr<Impl> server) {
  for (;;) {
    auto [error, client] = co_await server->acceptor.async_accept(use_nothrow_awaitable);
    if (server->stopped()) co_return;
    if (error) {  // e.g. out of file descriptors: trying again at once would only spin, so stop accepting
      server->report(EventKind::error, server->acceptor, {.detail = "accept(): " + error.message()});
      co_return;
    }
    server->report(EventKind::accept, client);
    asio::co_spawn(server->acceptor.get_executor(), echo(server, std::move(client)), rethrow_if_failed);
  }
}

// recv() and send the same bytes back, until the client closes its side of the connection.
asio::awaitable<void> TcpEchoServer::Impl::echo(std::shared_ptr<Impl> server, tcp::socket client) {
  if (server->stopped()) co_return;  // stop() came between accept() and this coroutine's first turn
  const ListedClient listed(server->clients, client);
  const EventReporter& report = server->report;
  std::vector<char> data(4096);  // at most this much per recv(): a long message comes in several pieces

  for (;;) {
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
  }
  report_and_close(report, client);  // our FIN follows: the connection is now closed both ways
}

// Closing the listening socket ends accept_clients(); closing a connection ends its echo().
void TcpEchoServer::Impl::stop() {
  if (acceptor.is_open()) report_and_close(report, acceptor);
  for (tcp::socket* client : clients) {
    if (client->is_open()) report_and_close(report, *client);
  }
}

TcpEchoServer::TcpEchoServer(asio::io_context& io, const ServerOptions& options, EchoEventSink sink)
    : impl_(std::make_shared<Impl>(io, std::move(sink))) {
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
