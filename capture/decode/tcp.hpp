#pragma once
// TCP header, RFC 9293 section 3.1, and its options (RFC 9293 3.2; window scale and timestamps RFC 7323;
// SACK RFC 2018).
#include <cstdint>
#include <optional>
#include <span>

#include "capture/decode/error.hpp"

namespace lab::decode {

namespace tcp_flag {
inline constexpr std::uint8_t fin = 0x01;
inline constexpr std::uint8_t syn = 0x02;
inline constexpr std::uint8_t rst = 0x04;
inline constexpr std::uint8_t psh = 0x08;
inline constexpr std::uint8_t ack = 0x10;
inline constexpr std::uint8_t urg = 0x20;
inline constexpr std::uint8_t ece = 0x40;
inline constexpr std::uint8_t cwr = 0x80;
}  // namespace tcp_flag

struct SackBlock {
  std::uint32_t left = 0;   // first sequence number of the block
  std::uint32_t right = 0;  // sequence number just past the block
};

struct TcpOptions {
  std::optional<std::uint16_t> mss;           // kind 2
  std::optional<std::uint8_t> window_scale;   // kind 3: shift count
  bool sack_permitted = false;                // kind 4
  std::uint8_t sack_count = 0;                // kind 5: blocks present (at most 4 fit in 40 bytes)
  SackBlock sack[4];
  bool has_timestamps = false;                // kind 8
  std::uint32_t ts_val = 0;
  std::uint32_t ts_ecr = 0;
  std::uint8_t nop_count = 0;                 // kind 1
  bool eol = false;                           // kind 0 seen
  std::uint8_t unknown_count = 0;             // other kinds, skipped by their length
};

struct TcpHeader {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t data_offset = 0;   // header length in 32-bit words (5..15)
  std::uint8_t flags = 0;         // tcp_flag::* bits
  std::uint16_t window = 0;       // raw value, before window scaling
  std::uint16_t checksum = 0;
  std::uint16_t urgent_pointer = 0;
  std::uint32_t header_len = 0;   // data_offset * 4
  TcpOptions options;

  bool has(std::uint8_t flag) const { return (flags & flag) != 0; }
};

struct TcpResult {
  std::optional<TcpHeader> header;        // set when the fixed 20 bytes were read and data_offset >= 5
  std::span<const std::uint8_t> payload;  // captured payload bytes
  std::uint32_t payload_len = 0;          // declared payload length (segment_len - header_len)
  std::optional<DecodeError> error;       // a malformed option keeps the header, with this error set
};

// `bytes` starts at the TCP header (the captured part of the segment); `segment_len` is the segment's length
// as the IP layer declares it (header + payload).
TcpResult decode_tcp(std::span<const std::uint8_t> bytes, std::uint32_t segment_len);

}  // namespace lab::decode
