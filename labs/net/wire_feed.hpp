#pragma once
// What the standing network's holder tells the programs watching its wire (lab net watch): each frame as the wire
// captured it, with the wire's note (dropped, delivered, the kernels' states), and each later delivery of a held
// frame. One message per record on a SOCK_SEQPACKET unix socket, so a message is never split or merged.
// Both ends are the same program; the reader still checks every length, as it would for any bytes it is handed.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "capture/decode/frame.hpp"
#include "labs/net/fault_plan.hpp"

namespace lab::labs {

enum class FeedKind : std::uint8_t { frame = 'F', delivered = 'D' };

// A decoded message. For a frame, `frame.bytes` points into the message that was decoded.
struct FeedMessage {
  FeedKind kind = FeedKind::frame;
  lab::decode::Frame frame;  // kind frame
  std::uint64_t wire_id = 0;  // kind delivered: the frame it names (WireNote::id)
  std::int64_t delivered_ns = 0;
  lab::decode::KernelView kernel;  // kind delivered: the receiver's reading
  // Messages the holder could not give this watcher since its previous one (its queue was full).
  std::uint32_t missed_before = 0;
};

// The largest message: a header and a frame of up to 65536 bytes.
inline constexpr std::size_t feed_max_message = 65536 + 256;

// Replace `out` with the message (it keeps its capacity, so a steady stream allocates nothing).
void encode_feed_frame(const lab::decode::Frame& frame, std::uint32_t missed_before, std::vector<std::uint8_t>& out);
void encode_feed_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel,
                           std::uint32_t missed_before, std::vector<std::uint8_t>& out);

// nullopt for a message that is not one of the above (too short, an unknown kind, a length that does not fit).
std::optional<FeedMessage> decode_feed_message(std::span<const std::uint8_t> message);

// lab net set's request: the wire's new faults, and how they were typed (for lab net status). The message is
// 'S' and then this encoding.
struct FaultRequest {
  FaultOptions faults;
  std::string text;
};
std::vector<std::uint8_t> encode_fault_request(const FaultRequest& request);
// The bytes after 'S'; nullopt if they are not a request (a count or a length that does not fit, a kind unknown).
std::optional<FaultRequest> decode_fault_request(std::span<const std::uint8_t> bytes);

}  // namespace lab::labs
