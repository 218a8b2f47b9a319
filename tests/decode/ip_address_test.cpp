// IP addresses as text: dotted quads, and IPv6 in the RFC 5952 form every tool should print.
#include <array>
#include <cstring>
#include <string>

#include "capture/decode/ip_address.hpp"
#include "tests/support/catch.hpp"

using lab::decode::IpAddress;

namespace {

IpAddress v6(std::array<std::uint16_t, 8> groups) {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < 8; ++i) {
    b[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
    b[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xFF);
  }
  return IpAddress::v6(b);
}

IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  const std::array<std::uint8_t, 4> bytes = {a, b, c, d};
  return IpAddress::v4(bytes);
}

}  // namespace

TEST_CASE("IPv4 addresses print as dotted quads") {
  CHECK(to_string(v4(127, 0, 0, 1)) == "127.0.0.1");
  CHECK(to_string(v4(0, 0, 0, 0)) == "0.0.0.0");
  CHECK(to_string(v4(255, 255, 255, 255)) == "255.255.255.255");
  CHECK(to_string(v4(10, 20, 100, 9)) == "10.20.100.9");
  CHECK(v4(1, 2, 3, 4).version == 4);
}

TEST_CASE("IPv6 addresses print in RFC 5952 form") {
  SECTION("loopback and unspecified") {
    CHECK(to_string(v6({0, 0, 0, 0, 0, 0, 0, 1})) == "::1");
    CHECK(to_string(v6({0, 0, 0, 0, 0, 0, 0, 0})) == "::");
  }
  SECTION("leading zeros dropped, lowercase hex") {
    CHECK(to_string(v6({0x2001, 0x0db8, 0, 0, 0, 0, 0, 0x0001})) == "2001:db8::1");
    CHECK(to_string(v6({0xfe80, 0, 0, 0, 0xABCD, 0x00ef, 0x0100, 0x1000})) == "fe80::abcd:ef:100:1000");
  }
  SECTION("a single zero group is not compressed (4.2.2)") {
    CHECK(to_string(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1})) == "2001:db8:0:1:1:1:1:1");
  }
  SECTION("the longest run is compressed (4.2.3)") {
    CHECK(to_string(v6({0x2001, 0, 0, 1, 0, 0, 0, 1})) == "2001:0:0:1::1");
  }
  SECTION("on a tie the first run is compressed (4.2.3)") {
    CHECK(to_string(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1})) == "2001:db8::1:0:0:1");
  }
  SECTION("runs at the end") {
    CHECK(to_string(v6({1, 0, 0, 0, 0, 0, 0, 0})) == "1::");
    CHECK(to_string(v6({1, 2, 3, 4, 5, 6, 0, 0})) == "1:2:3:4:5:6::");
  }
  SECTION("no zeros at all") {
    CHECK(to_string(v6({0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff})) ==
          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  }
  SECTION("IPv4-mapped addresses keep the dotted IPv4 part (5)") {
    CHECK(to_string(v6({0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201})) == "::ffff:192.0.2.1");
  }
}

TEST_CASE("format_ip writes a NUL-terminated string and returns its length") {
  char out[46];
  std::memset(out, 'x', sizeof out);
  const auto longest = v6({0, 0, 0, 0, 0, 0xffff, 0xffff, 0xffff});  // "::ffff:255.255.255.255"
  const std::size_t n = format_ip(longest, out);
  CHECK(n == std::strlen("::ffff:255.255.255.255"));
  CHECK(out[n] == '\0');
  CHECK(std::string(out) == "::ffff:255.255.255.255");

  CHECK(format_ip(IpAddress{}, out) == 0);  // no address: empty string
  CHECK(out[0] == '\0');
}

TEST_CASE("addresses compare by version, then bytes") {
  CHECK(v4(10, 0, 0, 1) == v4(10, 0, 0, 1));
  CHECK(v4(10, 0, 0, 1) != v4(10, 0, 0, 2));
  CHECK(v4(10, 0, 0, 1) < v4(10, 0, 0, 2));
  CHECK(v4(255, 255, 255, 255) < v6({0, 0, 0, 0, 0, 0, 0, 0}));
  CHECK(v4(0, 0, 0, 1) != v6({0, 0, 0, 0, 0, 0, 0, 1}));
}
