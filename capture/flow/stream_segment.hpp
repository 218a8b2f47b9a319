#pragma once
// One TCP segment's part in the byte stream of its sender, as the application-protocol trackers (HTTP, TLS) read
// it: where its bytes sit in sequence space, and what was captured of them.
#include <cstdint>
#include <span>

namespace lab::flow {

struct StreamSegment {
  std::uint32_t first_seq = 0;              // the sequence number of its first payload byte (any base, same per side)
  std::span<const std::uint8_t> payload;    // as captured (may be shorter than payload_len: the snap length)
  std::uint32_t payload_len = 0;            // as the IP header declares
  bool new_fin = false;                     // the sender's first FIN, right after the payload
  std::uint32_t packet_index = 0;
  std::int64_t time_ns = 0;
};

}  // namespace lab::flow
