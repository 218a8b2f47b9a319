// IP addresses as text. Written by hand rather than with inet_ntop so that decode stays standard-library
// only, and so a student can see what RFC 5952 asks of an IPv6 address.
#include "capture/decode/ip_address.hpp"

#include <algorithm>

namespace lab::decode {

IpAddress IpAddress::v4(std::span<const std::uint8_t, 4> b) {
  IpAddress a;
  a.version = 4;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

IpAddress IpAddress::v6(std::span<const std::uint8_t, 16> b) {
  IpAddress a;
  a.version = 6;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

namespace {

char* put_decimal(char* p, std::uint8_t v) {
  if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
  if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
  *p++ = static_cast<char>('0' + v % 10);
  return p;
}

// RFC 5952 4.1 and 4.3: lowercase hex, leading zeros dropped ("0db8" -> "db8", "0000" -> "0").
char* put_hex(char* p, std::uint16_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const auto nibble = (v >> shift) & 0xF;
    if (nibble != 0 || started || shift == 0) {
      *p++ = digits[nibble];
      started = true;
    }
  }
  return p;
}

char* put_v4(char* p, const std::uint8_t* b) {
  for (int i = 0; i < 4; ++i) {
    if (i > 0) *p++ = '.';
    p = put_decimal(p, b[i]);
  }
  return p;
}

char* put_v6(char* p, const std::array<std::uint8_t, 16>& b) {
  // RFC 5952 5: an IPv4-mapped address (::ffff:0:0/96) keeps its IPv4 part in dotted form.
  const bool mapped = std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) &&
                      b[10] == 0xFF && b[11] == 0xFF;
  if (mapped) {
    for (char c : {':', ':', 'f', 'f', 'f', 'f', ':'}) *p++ = c;
    return put_v4(p, b.data() + 12);
  }

  std::uint16_t groups[8];
  for (int i = 0; i < 8; ++i) groups[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);

  // RFC 5952 4.2: "::" replaces the longest run of zero groups (the first one on a tie), and only a run of
  // two or more: a single zero group is written "0".
  int run_start = -1, run_len = 0;
  for (int i = 0; i < 8;) {
    if (groups[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[j] == 0) ++j;
    if (j - i > run_len && j - i >= 2) {
      run_start = i;
      run_len = j - i;
    }
    i = j;
  }

  for (int i = 0; i < 8;) {
    if (i == run_start) {
      *p++ = ':';
      *p++ = ':';
      i += run_len;
      continue;
    }
    if (i > 0 && i != run_start + run_len) *p++ = ':';  // no extra ':' right after "::"
    p = put_hex(p, groups[i]);
    ++i;
  }
  return p;
}

}  // namespace

std::size_t format_ip(const IpAddress& address, char* out) {
  char* p = out;
  if (address.version == 4) p = put_v4(p, address.bytes.data());
  if (address.version == 6) p = put_v6(p, address.bytes);
  *p = '\0';  // the longest form, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" (39) or mapped (45), fits in 46
  return static_cast<std::size_t>(p - out);
}

std::string to_string(const IpAddress& address) {
  char buffer[46];
  return std::string(buffer, format_ip(address, buffer));
}

}  // namespace lab::decode
