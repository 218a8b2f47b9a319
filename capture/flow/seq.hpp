#pragma once
// Sequence-number arithmetic modulo 2^32 (RFC 1982 serial numbers, RFC 9293 section 3.4): numbers wrap, so
// "a is before b" is decided by the sign of the 32-bit difference, never by comparing the raw values.
#include <cstdint>

namespace lab::flow {

// b - a as a signed distance: positive when b comes after a (within 2^31).
inline std::int32_t seq_diff(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(b - a); }
inline bool seq_before(std::uint32_t a, std::uint32_t b) { return seq_diff(a, b) > 0; }
inline bool seq_after(std::uint32_t a, std::uint32_t b) { return seq_diff(a, b) < 0; }

}  // namespace lab::flow
