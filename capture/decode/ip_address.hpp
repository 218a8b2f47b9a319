#pragma once
// An IPv4 or IPv6 address as a small value type (no heap), with real equality and ordering so that flow keys
// can be normalized and compared.
#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lab::decode {

struct IpAddress {
  std::uint8_t version = 0;              // 4 or 6 (0: none)
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes, the rest stay zero

  static IpAddress v4(std::span<const std::uint8_t, 4> b);
  static IpAddress v6(std::span<const std::uint8_t, 16> b);

  auto operator<=>(const IpAddress&) const = default;
  bool operator==(const IpAddress&) const = default;
};

// "127.0.0.1" or "::1" (RFC 5952 compressed form). Writes into `out` (at least 46 bytes), returns the length.
std::size_t format_ip(const IpAddress& address, char* out);
std::string to_string(const IpAddress& address);

}  // namespace lab::decode
