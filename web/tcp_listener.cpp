#include "web/tcp_listener.hpp"

#include "echo/socket_info.hpp"

namespace lab::web {

std::uint16_t listen_tcp(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint) {
  asio::error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) lab::echo::throw_setup_error(error, "cannot listen on TCP " + lab::echo::endpoint_text(endpoint));
  return acceptor.local_endpoint().port();
}

}  // namespace lab::web
