#include "echo/socket_info.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <time.h>

#include <system_error>

#include <asio/error.hpp>

namespace lab::echo {

std::int64_t realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

std::string endpoint_text(const asio::ip::address& address, std::uint16_t port) {
  const std::string host = address.to_string();
  const std::string port_text = std::to_string(port);
  return address.is_v6() ? "[" + host + "]:" + port_text : host + ":" + port_text;
}

void throw_setup_error(const asio::error_code& error, const std::string& what) {
  if (error.category() == asio::error::get_system_category()) {  // an errno value
    throw std::system_error(std::error_code(error.value(), std::system_category()), what);
  }
  throw std::system_error(error, what);
}

asio::ip::address listen_address(const std::string& host) {
  asio::error_code error;
  auto address = asio::ip::make_address(host, error);
  if (error) throw_setup_error(error, "not an IPv4 or IPv6 address: \"" + host + "\"");
  return address;
}

std::string tcp_state_name(int linux_state) {
  // Linux numbers its states in its own order (include/net/tcp_states.h); RFC 9293 section 3.3.2 names them.
  switch (linux_state) {
    case TCP_ESTABLISHED: return "ESTABLISHED";
    case TCP_SYN_SENT: return "SYN-SENT";
    case TCP_SYN_RECV: return "SYN-RECEIVED";
    case TCP_FIN_WAIT1: return "FIN-WAIT-1";
    case TCP_FIN_WAIT2: return "FIN-WAIT-2";
    case TCP_TIME_WAIT: return "TIME-WAIT";
    case TCP_CLOSE: return "CLOSED";
    case TCP_CLOSE_WAIT: return "CLOSE-WAIT";
    case TCP_LAST_ACK: return "LAST-ACK";
    case TCP_LISTEN: return "LISTEN";
    case TCP_CLOSING: return "CLOSING";
  }
  return "UNKNOWN(" + std::to_string(linux_state) + ")";
}

std::string tcp_kernel_state(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (fd < 0 || getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return {};
  return tcp_state_name(info.tcpi_state);
}

}  // namespace lab::echo
