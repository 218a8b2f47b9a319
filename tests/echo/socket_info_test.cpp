#include "echo/socket_info.hpp"

#include <netinet/tcp.h>

#include <system_error>

#include "tests/support/catch.hpp"

using namespace lab::echo;

TEST_CASE("socket info: endpoints as text, IPv6 in brackets") {
  CHECK(endpoint_text(asio::ip::make_address("127.0.0.1"), 48258) == "127.0.0.1:48258");
  CHECK(endpoint_text(asio::ip::make_address("::1"), 48258) == "[::1]:48258");
  CHECK(endpoint_text(asio::ip::make_address("0.0.0.0"), 0) == "0.0.0.0:0");
}

TEST_CASE("socket info: Linux TCP states get their RFC 9293 names") {
  CHECK(tcp_state_name(TCP_ESTABLISHED) == "ESTABLISHED");
  CHECK(tcp_state_name(TCP_SYN_SENT) == "SYN-SENT");
  CHECK(tcp_state_name(TCP_SYN_RECV) == "SYN-RECEIVED");
  CHECK(tcp_state_name(TCP_FIN_WAIT1) == "FIN-WAIT-1");
  CHECK(tcp_state_name(TCP_FIN_WAIT2) == "FIN-WAIT-2");
  CHECK(tcp_state_name(TCP_TIME_WAIT) == "TIME-WAIT");
  CHECK(tcp_state_name(TCP_CLOSE) == "CLOSED");
  CHECK(tcp_state_name(TCP_CLOSE_WAIT) == "CLOSE-WAIT");
  CHECK(tcp_state_name(TCP_LAST_ACK) == "LAST-ACK");
  CHECK(tcp_state_name(TCP_LISTEN) == "LISTEN");
  CHECK(tcp_state_name(TCP_CLOSING) == "CLOSING");
  CHECK(tcp_state_name(99) == "UNKNOWN(99)");
  CHECK(tcp_kernel_state(-1).empty());
}

TEST_CASE("socket info: a listen address must be an IP literal") {
  CHECK(listen_address("::1").is_v6());
  CHECK(listen_address("127.0.0.1").is_v4());
  CHECK_THROWS_AS(listen_address("localhost"), std::system_error);
}

TEST_CASE("socket info: the clock is the wall clock, in nanoseconds") {
  const auto before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  const auto now = realtime_ns();
  CHECK(now >= before);
  CHECK(now - before < 1'000'000'000);
}
