#pragma once
// Which Wireshark's TCP analysis `lab` reproduces. Wireshark changed its rules between 4.0 (Debian 12) and 4.4
// (Debian 13): a SYN after a reset or a FIN starts a new tcp.stream, a copy of a segment
// still unacknowledged is a retransmission even within the handshake's round trip, an "ACKed unseen segment" is
// told by walking the unacknowledged segments, SACK blocks take part in fast retransmission and duplicate ACKs.
// lab follows 4.4 by default, the newest a student is likely to have; 4.0's rules stay available so that the
// output can be held against an older Wireshark, and so that the differential test runs against both.
#include <optional>
#include <string_view>

namespace lab::flow {

enum class WiresharkRules : unsigned char { v4_0, v4_4 };

inline constexpr WiresharkRules default_wireshark_rules = WiresharkRules::v4_4;

inline const char* wireshark_rules_name(WiresharkRules rules) { return rules == WiresharkRules::v4_0 ? "4.0" : "4.4"; }

// "4.0" or "4.4" (the versions checked against: tshark 4.0.17 and 4.4.19).
inline std::optional<WiresharkRules> parse_wireshark_rules(std::string_view text) {
  if (text == "4.0") return WiresharkRules::v4_0;
  if (text == "4.4") return WiresharkRules::v4_4;
  return std::nullopt;
}

}  // namespace lab::flow
