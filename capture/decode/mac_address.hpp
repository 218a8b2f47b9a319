#pragma once
// A 48-bit IEEE 802 MAC address (what Ethernet and ARP carry) as a small value type with real equality.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lab::decode {

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};

  static MacAddress of(std::span<const std::uint8_t, 6> b) {
    MacAddress m;
    for (std::size_t i = 0; i < 6; ++i) m.bytes[i] = b[i];
    return m;
  }

  // ff:ff:ff:ff:ff:ff: every station on the link receives the frame.
  bool is_broadcast() const {
    for (std::uint8_t b : bytes)
      if (b != 0xFF) return false;
    return true;
  }
  // The I/G bit, the least significant bit of the first byte (IEEE 802-2014, 8.2): a group address (multicast or
  // broadcast) rather than one station's.
  bool is_group() const { return (bytes[0] & 0x01) != 0; }
  // 00:00:00:00:00:00: no address (what an ARP request puts where it does not know the target's).
  bool is_zero() const {
    for (std::uint8_t b : bytes)
      if (b != 0) return false;
    return true;
  }

  bool operator==(const MacAddress&) const = default;
};

// "02:00:00:00:00:01": lowercase hex, colons, as tshark and `ip link` write it. Writes 17 characters and a NUL
// into `out` (at least 18 bytes), returns 17.
inline std::size_t format_mac(const MacAddress& mac, char* out) {
  static constexpr char digits[] = "0123456789abcdef";
  char* p = out;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0) *p++ = ':';
    *p++ = digits[mac.bytes[i] >> 4];
    *p++ = digits[mac.bytes[i] & 0x0F];
  }
  *p = '\0';
  return 17;
}

inline std::string to_string(const MacAddress& mac) {
  char buffer[18];
  return std::string(buffer, format_mac(mac, buffer));
}

}  // namespace lab::decode
