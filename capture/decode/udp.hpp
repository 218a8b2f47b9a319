#pragma once
// UDP header, RFC 768: four 16-bit fields, nothing more.
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"

namespace lab::decode {

struct UdpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint16_t length = 0;     // header + data, as declared
  std::uint16_t checksum = 0;   // 0 over IPv4: the sender computed none
};

struct UdpResult {
  std::optional<UdpHeader> header;
  std::span<const std::uint8_t> payload;  // captured data, clamped to the declared length
  std::uint32_t payload_len = 0;          // declared data length (length - 8)
  std::optional<DecodeError> error;       // length < 8, or longer than the IP payload
};

// `bytes` starts at the UDP header; `datagram_len` is the IP layer's declared payload length. With
// `first_fragment`, the IP packet is the first fragment of a larger datagram: the UDP length may reach beyond it
// (the rest follows in later fragments), and the payload is what this fragment carries.
UdpResult decode_udp(std::span<const std::uint8_t> bytes, std::uint32_t datagram_len, bool first_fragment = false);

}  // namespace lab::decode
