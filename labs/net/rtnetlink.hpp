#pragma once
// The few rtnetlink requests the two-hosts lab needs, written out by hand: what `ip link add ... type veth`,
// `ip addr add` and `ip neigh add ... nud permanent` send to the kernel (RFC 3549; man 7 rtnetlink).
// Each request goes to the network namespace the calling thread is in when it is made.
// Every failure throws NetnsError: one line naming the step and the kernel's reason.
#include <array>
#include <cstdint>
#include <string>

namespace lab::labs {

using MacAddress = std::array<std::uint8_t, 6>;

// An IPv4 or IPv6 address in network byte order: 4 or 16 bytes used.
struct IfAddress {
  int family = 0;                      // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t prefix_len = 0;         // for add_address
};
// "10.0.0.1/24", "fd00::2/64", or without the prefix for a neighbour. Throws NetnsError on a bad text.
IfAddress parse_if_address(const std::string& text);

// A veth pair: `name` stays in the current namespace; its peer, called `peer_name`, is created directly in the
// namespace of `peer_netns_fd` with the hardware address `peer_mac`. Both ends start down. `index` and
// `peer_index` are their interface numbers, chosen to differ: the kernel takes a link change of a device whose
// number equals its peer's (possible across namespaces) as not urgent and may apply it up to a second later,
// and until then the link drops what is sent on it.
void create_veth_pair(const std::string& name, int index, const std::string& peer_name, int peer_index,
                      int peer_netns_fd, const MacAddress& peer_mac);
// `ip link set NAME up`; `noarp` also sets IFF_NOARP (no ARP, no IPv6 neighbour discovery, no DAD, no MLD).
void set_link_up(const std::string& name, bool noarp = false);
// `ip addr add ADDRESS dev NAME`; IPv6 addresses get IFA_F_NODAD (usable at once, no DAD probe on the wire).
void add_address(const std::string& name, const IfAddress& address);
// `ip neigh add ADDRESS lladdr MAC dev NAME nud permanent`: the host never needs to ask (ARP, ND) who has it.
void add_permanent_neighbour(const std::string& name, const IfAddress& address, const MacAddress& mac);
// `ip neigh del ADDRESS dev NAME`: the host forgets what ARP taught it (nothing to forget is no error).
void delete_neighbour(const std::string& name, const IfAddress& address);

}  // namespace lab::labs
