// Names for the error enums, used when an error is explained to a student.
#include "capture/decode/error.hpp"

namespace lab::decode {

const char* layer_name(Layer layer) {
  switch (layer) {
    case Layer::link: return "link";
    case Layer::ipv4: return "IPv4";
    case Layer::ipv6: return "IPv6";
    case Layer::tcp: return "TCP";
    case Layer::udp: return "UDP";
    case Layer::icmp: return "ICMP";
    case Layer::icmpv6: return "ICMPv6";
    case Layer::arp: return "ARP";
  }
  return "unknown layer";
}

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::truncated: return "truncated";
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::unsupported: return "unsupported";
  }
  return "unknown";
}

}  // namespace lab::decode
