#pragma once
// What went wrong while decoding a packet. A bad packet is data, not an exception: the decoder keeps every
// layer it decoded before the fault and records the fault here.
#include <cstddef>
#include <cstdint>

namespace lab::decode {

enum class Layer : std::uint8_t { link, ipv4, ipv6, tcp, udp, icmp, icmpv6, arp };

enum class ErrorKind : std::uint8_t {
  truncated,    // the capture ended before the header did (snap length, or a cut file): not the sender's fault
  invalid,      // the header itself lies (IHL < 5, data offset < 5, UDP length < 8, bad option length...)
  unsupported,  // a link type or protocol the decoder does not handle
};

struct DecodeError {
  Layer layer = Layer::link;
  ErrorKind kind = ErrorKind::truncated;
  std::uint32_t offset = 0;   // where in the frame the failing header starts
  std::uint32_t needed = 0;   // bytes the header needs (or claims)
  std::uint32_t present = 0;  // bytes actually there
  const char* what = "";      // a static, plain-language description, e.g. "IPv4 header length (IHL) below 5"
};

// An error at the start of `layer`'s header (decode_packet adds the header's offset in the frame).
inline DecodeError decode_error(Layer layer, ErrorKind kind, std::size_t needed, std::size_t present, const char* what) {
  return DecodeError{.layer = layer,
                     .kind = kind,
                     .offset = 0,
                     .needed = static_cast<std::uint32_t>(needed),
                     .present = static_cast<std::uint32_t>(present),
                     .what = what};
}

const char* layer_name(Layer layer);        // "IPv4", "TCP", "ARP", ...
const char* error_kind_name(ErrorKind kind);  // "truncated", "invalid", "unsupported"

}  // namespace lab::decode
