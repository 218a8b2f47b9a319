#pragma once
// What the kernel can tell about a socket, as text for EchoEvents: an endpoint ("127.0.0.1:48258",
// "[::1]:48258") and, for TCP, the connection's state. Plus the clock the events are stamped with.
#include <cstdint>
#include <string>

#include <asio/ip/address.hpp>

namespace lab::echo {

// Now, from CLOCK_REALTIME, in nanoseconds: the clock packet captures are stamped with, so that the
// program's calls and the packets they cause line up on one time axis.
std::int64_t realtime_ns();

// "127.0.0.1:48258", or "[::1]:48258" for IPv6 (the brackets keep the port's colon apart from the address's,
// as in URLs, RFC 3986 section 3.2.2).
std::string endpoint_text(const asio::ip::address& address, std::uint16_t port);

template <class Endpoint>  // asio::ip::tcp::endpoint or asio::ip::udp::endpoint
std::string endpoint_text(const Endpoint& endpoint) {
  return endpoint_text(endpoint.address(), endpoint.port());
}

// Throws std::system_error for a failed setup call (socket, bind, listen): "`what`: <system's words>".
// The code is in std::system_category, so that callers can test `e.code() == std::errc::address_in_use`
// (Asio's own category would not compare equal to std::errc values).
[[noreturn]] void throw_setup_error(const asio::error_code& error, const std::string& what);

// The address a server listens on, from ServerOptions::host: an IPv4 or IPv6 literal. Throws
// std::system_error (EINVAL) with a one-line message naming `host` when it is not one.
asio::ip::address listen_address(const std::string& host);

// The RFC 9293 name ("ESTABLISHED", "CLOSE-WAIT", ...) of a Linux TCP state (TCP_ESTABLISHED...).
std::string tcp_state_name(int linux_state);

// The state the kernel has for TCP socket `fd` right now, from getsockopt(TCP_INFO): the real thing, not
// what the program believes. Empty when the kernel cannot tell (e.g. the socket is not open).
std::string tcp_kernel_state(int fd);

}  // namespace lab::echo
