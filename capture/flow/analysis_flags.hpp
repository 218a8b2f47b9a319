#pragma once
// The names of Wireshark's TCP sequence analysis (its tcp.analysis.* fields): one bit each, so that a packet's
// findings fit in one small integer of its observation.
#include <cstdint>

namespace lab::flow::analysis {

inline constexpr std::uint16_t retransmission = 1u << 0;
inline constexpr std::uint16_t fast_retransmission = 1u << 1;
inline constexpr std::uint16_t spurious_retransmission = 1u << 2;
inline constexpr std::uint16_t duplicate_ack = 1u << 3;
inline constexpr std::uint16_t out_of_order = 1u << 4;
inline constexpr std::uint16_t lost_segment = 1u << 5;      // "previous segment not captured"
inline constexpr std::uint16_t ack_lost_segment = 1u << 6;  // "ACKed unseen segment"
inline constexpr std::uint16_t zero_window = 1u << 7;
inline constexpr std::uint16_t zero_window_probe = 1u << 8;
inline constexpr std::uint16_t zero_window_probe_ack = 1u << 9;
inline constexpr std::uint16_t window_full = 1u << 10;
inline constexpr std::uint16_t window_update = 1u << 11;
inline constexpr std::uint16_t keep_alive = 1u << 12;
inline constexpr std::uint16_t keep_alive_ack = 1u << 13;

// What the analysis found in one segment: a set of the flags above.
struct AnalysisFlags {
  std::uint16_t bits = 0;
  bool has(std::uint16_t flag) const { return (bits & flag) != 0; }
  bool any() const { return bits != 0; }
  // Any kind of retransmission: plain, fast or spurious (what Wireshark's tcp.analysis.retransmission finds).
  bool retransmission_family() const {
    return has(retransmission) || has(fast_retransmission) || has(spurious_retransmission);
  }
};

// Every flag, in the order the JSON lists them.
inline constexpr std::uint16_t all[] = {retransmission, fast_retransmission, spurious_retransmission, duplicate_ack,
                                        out_of_order, lost_segment, ack_lost_segment, zero_window, zero_window_probe,
                                        zero_window_probe_ack, window_full, window_update, keep_alive, keep_alive_ack};

// Wireshark's field suffix: "retransmission" for tcp.analysis.retransmission. Empty for anything else.
const char* field_name(std::uint16_t flag);
// Wireshark's tag in its Info column: "TCP Retransmission", "TCP ZeroWindow"... (duplicate ACKs are numbered
// by the renderer: "TCP Dup ACK 7#2").
const char* info_tag(std::uint16_t flag);

}  // namespace lab::flow::analysis
