#pragma once
// Reads a reset's clues (rst_clues.hpp) from the conversation as the tracker holds it just before the reset.
#include <cstdint>

#include "capture/decode/tcp.hpp"
#include "capture/flow/conversation.hpp"
#include "capture/flow/rst_clues.hpp"

namespace lab::flow {

// `c` before the reset is counted (its last packet is the one before); `ttl` the reset's TTL or hop limit.
RstClues read_rst_clues(const Conversation& c, Role from, const lab::decode::TcpHeader& h, std::uint8_t ttl,
                        std::int64_t time_ns);

}  // namespace lab::flow
