#pragma once
// IPv6 header, RFC 8200 section 3, and its extension-header chain (section 4).
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"
#include "capture/decode/ip_address.hpp"

namespace lab::decode {

struct Ipv6Header {
  std::uint8_t traffic_class = 0;
  std::uint32_t flow_label = 0;
  std::uint16_t payload_length = 0;    // as declared (0 with a jumbo payload or TSO)
  std::uint8_t next_header = 0;        // the first next-header value
  std::uint8_t hop_limit = 0;
  IpAddress src;
  IpAddress dst;
  std::uint8_t protocol = 0;           // the upper-layer protocol after the extension chain (6, 17, 58...)
  std::uint8_t extension_count = 0;    // extension headers walked
  std::uint32_t header_len = 0;        // 40 + all extension headers
  bool is_fragment = false;            // a Fragment header was present
  std::uint16_t fragment_offset = 0;   // in 8-byte units
  bool more_fragments = false;
  std::uint32_t fragment_id = 0;
  std::uint8_t fragment_next_header = 0;  // what the Fragment header says begins its datagram's fragmentable part
  std::uint32_t fragment_data_start = 0;  // where the bytes after the Fragment header start (from the IPv6 header)
};

struct Ipv6Result {
  std::optional<Ipv6Header> header;
  std::span<const std::uint8_t> payload;  // captured upper-layer bytes, clamped to payload_length
  std::uint32_t payload_len = 0;        // upper-layer length as declared (or captured when payload_length is 0)
  std::optional<DecodeError> error;
};

Ipv6Result decode_ipv6(std::span<const std::uint8_t> bytes);

}  // namespace lab::decode
