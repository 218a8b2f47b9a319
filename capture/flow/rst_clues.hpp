#pragma once
// Why a connection ends in RST instead of FIN, as far as the packets before the reset can tell. The usual reasons:
//   - the program closed while data it had received was still unread, or data arrived after it closed: its kernel
//     resets to show that the data was lost (RFC 9293, section 3.6.1; RFC 2525, section 2.17, for the first);
//   - an abortive close (SO_LINGER with 0 s), which nothing on the wire announces;
//   - an idle connection reset by a firewall, a NAT or the server's own timeout;
//   - a middlebox resetting in a host's name, which may show as a TTL the host's own packets do not have.
// The clues are facts of the capture; which one applies is a reading of them, named with what the capture cannot
// tell (a capture never sees whether a program had read its data, nor its socket options).
#include <cstdint>

namespace lab::flow {

enum class RstClue : std::uint8_t {
  none,              // nothing before it points anywhere: an abortive close or a program's error, which look alike
  data_after_close,  // its sender had sent FIN, and the other side sent data after that
  unread_data,       // the other side's data reached its sender (the RST acknowledges it) just before
  idle,              // the connection had been quiet for a long time
  other_ttl,         // its TTL (hop limit) differs from its sender's earlier packets
};
const char* rst_clue_name(RstClue clue);  // "none", "data-after-close", "unread-data", "idle", "other-ttl"

struct RstClues {
  RstClue clue = RstClue::none;
  std::uint32_t own_fin_packet = 0;       // the sender's FIN before the reset (0: it had sent none)
  std::uint32_t peer_data_packet = 0;     // the other side's latest packet with data before the reset (0: none)
  bool acks_peer_data = false;            // the RST's ACK covers that data: the sender's kernel had received it
  bool peer_data_after_fin = false;       // that data was sent after the sender's FIN
  std::int64_t since_peer_data_ns = 0;
  std::int64_t idle_ns = 0;               // the longer of: the silence before it, and before the packet it answers
  std::uint8_t ttl = 0;                   // the RST's TTL or hop limit
  std::uint8_t sender_ttl_before = 0;     // the sender's previous packet's (0: none seen)
};

// A connection quiet for this long before a reset points to an idle timeout: well above any round trip, and below
// the shortest idle timeouts of common firewalls and servers (tens of seconds to minutes).
inline constexpr std::int64_t rst_idle_threshold_ns = 10'000'000'000;

}  // namespace lab::flow
