// The TcpExt counters, from a /proc/net/netstat captured on a 6.18 kernel (netstat-6.18.txt).
#include <fstream>
#include <sstream>
#include <string>

#include "labs/net/kernel_counters.hpp"
#include "tests/support/catch.hpp"

using lab::labs::parse_tcp_counters;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("parse_tcp_counters finds each counter by name in a real /proc/net/netstat") {
  const std::string text = read_text(LAB_SOURCE_DIR "/tests/wire/netstat-6.18.txt");
  REQUIRE_FALSE(text.empty());
  const auto counters = parse_tcp_counters(text);
  CHECK(counters.timeouts == 3);
  CHECK(counters.loss_probes == 146);
  CHECK(counters.fast_retrans == 0);
  CHECK(counters.syn_retrans == 0);
  CHECK(counters.delayed_acks == 1223);
}

TEST_CASE("parse_tcp_counters reads by name, not by position, and ignores the other sections") {
  const auto counters = parse_tcp_counters(
      "IpExt: InNoRoutes TCPTimeouts\n"
      "IpExt: 7 99\n"                       // same name in another section: not TcpExt's
      "TcpExt: DelayedACKs Unknown TCPSynRetrans TCPTimeouts\n"
      "TcpExt: 5 1 2 3\n");
  CHECK(counters.delayed_acks == 5);
  CHECK(counters.syn_retrans == 2);
  CHECK(counters.timeouts == 3);
  CHECK(counters.loss_probes == 0);  // missing: stays 0
}

TEST_CASE("parse_tcp_counters gives zeros for text without TcpExt, or a header without values") {
  CHECK(parse_tcp_counters("").timeouts == 0);
  CHECK(parse_tcp_counters("garbage\nmore").timeouts == 0);
  CHECK(parse_tcp_counters("TcpExt: TCPTimeouts\n").timeouts == 0);
  CHECK(parse_tcp_counters("TcpExt: TCPTimeouts TCPLossProbes\nTcpExt: 4\n").timeouts == 4);  // short line
}
