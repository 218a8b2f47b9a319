#pragma once
// Identifies a conversation whichever way its packets go: (protocol, the two endpoints in a fixed order).
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "capture/decode/ip_address.hpp"

namespace lab::flow {

struct Endpoint {
  lab::decode::IpAddress ip;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
  bool operator==(const Endpoint&) const = default;
};

struct FlowKey {
  std::uint8_t protocol = 0;  // 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6
  Endpoint low;               // the smaller endpoint
  Endpoint high;              // the larger endpoint

  // The same key for a->b and b->a: endpoints are ordered, so equality is real equality, not a hash.
  static FlowKey of(std::uint8_t protocol, const Endpoint& a, const Endpoint& b) {
    return a < b ? FlowKey{protocol, a, b} : FlowKey{protocol, b, a};
  }
  bool operator==(const FlowKey&) const = default;
};

// "127.0.0.1:48258" or "[::1]:65432", appended to `out`.
void append_endpoint(std::string& out, const Endpoint& endpoint);
std::string to_string(const Endpoint& endpoint);

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& key) const {
    // FNV-1a over the fields; only used to pick a bucket, equality decides identity.
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t byte) { h = (h ^ byte) * 1099511628211ull; };
    mix(key.protocol);
    for (const Endpoint* e : {&key.low, &key.high}) {
      for (std::uint8_t byte : e->ip.bytes) mix(byte);
      mix(static_cast<std::uint8_t>(e->port >> 8));
      mix(static_cast<std::uint8_t>(e->port));
    }
    return static_cast<std::size_t>(h);
  }
};

}  // namespace lab::flow
