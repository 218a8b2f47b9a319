#pragma once
// The most data one UDP datagram can carry, and why. A datagram is never split into several by UDP: a
// message larger than this cannot be sent at all (sendto() fails with EMSGSIZE, "Message too long").
#include <cstddef>
#include <string>

namespace lab::echo {

inline constexpr std::size_t udp_header_bytes = 8;     // RFC 768
inline constexpr std::size_t ipv4_header_bytes = 20;   // without options (RFC 791)
inline constexpr std::size_t max_16_bit_length = 65535;
// IPv4's total length field (16 bits) counts its own header and UDP's too: 65,507 bytes of data.
inline constexpr std::size_t udp_max_payload_ipv4 = max_16_bit_length - ipv4_header_bytes - udp_header_bytes;
// IPv6's payload length and UDP's length (16 bits each) leave out the IPv6 header: 65,527 bytes of data.
inline constexpr std::size_t udp_max_payload_ipv6 = max_16_bit_length - udp_header_bytes;

inline std::size_t udp_max_payload(bool ipv6) { return ipv6 ? udp_max_payload_ipv6 : udp_max_payload_ipv4; }

// The limit with its reason, as a clause: "a UDP datagram over IPv4 carries at most 65507 bytes of data
// (...)".
inline std::string udp_limit_reason(bool ipv6) {
  if (ipv6)
    return "a UDP datagram over IPv6 carries at most 65527 bytes of data (its 16-bit length fields count at most "
           "65535 bytes, 8 of them the UDP header; only IPv6 jumbograms go further)";
  return "a UDP datagram over IPv4 carries at most 65507 bytes of data (the IPv4 header's 16-bit total length "
         "counts at most 65535 bytes, 20 of them the IPv4 header and 8 the UDP header)";
}

}  // namespace lab::echo
