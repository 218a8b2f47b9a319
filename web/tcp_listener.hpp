#pragma once
// socket(), bind(), listen() for the web lab's servers, HTTP and HTTPS alike, as the echo server does them.
#include <cstdint>

#include <asio/ip/tcp.hpp>

namespace lab::web {

// Opens `acceptor` on `endpoint` with SO_REUSEADDR (a previous run's TIME-WAIT may hold the port) and listens; the
// bound port (the kernel's choice with port 0). Throws std::system_error, naming the endpoint, when it cannot.
std::uint16_t listen_tcp(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint);

}  // namespace lab::web
