#pragma once
// Two hosts joined by a wire the lab holds in its hands. The "client host" and the "server host" are network
// namespaces, each with its own loopback and an Ethernet interface eth0 (10.0.0.1 and 10.0.0.2, or fd00::1 and
// fd00::2, or the addresses of HostsConfig). Each eth0 is one end of a veth pair whose other end (the host's "cable") stays in the lab's own
// namespace, unconnected: nothing passes from one host to the other unless the lab reads the frame from one
// cable and writes it to the other (labs/net/wire.hpp). That is where the lab captures, drops and delays packets,
// before the receiving host's stack sees them. No root needed: it all lives in the lab's private user and
// network namespace.
#include <cstdint>
#include <string>

#include "labs/net/rtnetlink.hpp"

namespace lab::labs {

enum class Host : std::uint8_t { client, server };

// How the two hosts are set up. The defaults are the labs' quiet pair (10.0.0.1 and 10.0.0.2, each knowing the
// other's MAC in advance, so that only the lab's own packets cross); classroom() is the seed exercise's network.
struct HostsConfig {
  bool ipv6 = false;
  std::string client_ip;    // empty: 10.0.0.1 (fd00::1)
  std::string server_ip;    // empty: 10.0.0.2 (fd00::2)
  int prefix = 0;           // 0: /24 (/64)
  int mtu = 0;              // 0: Ethernet's 1500
  bool arp = false;         // IPv4 only: the hosts ask each other's MAC with ARP, as real hosts do (no neighbour
                            // entries in advance); false: permanent entries and IFF_NOARP, so no ARP on the wire

  // The classic classroom pair: server 192.168.219.113, client 192.168.219.164, one /24, with ARP.
  static HostsConfig classroom();
  // The hosts a built-in lab runs on: the classroom network (`classroom`, IPv4 only) or the quiet pair, with `mtu`.
  static HostsConfig for_lab(bool classroom, bool ipv6, int mtu);
  // Empty, or one line saying what is wrong (addresses of different families or subnets, an MTU out of range).
  std::string problem() const;
};

inline Host other(Host host) { return host == Host::client ? Host::server : Host::client; }

class TwoHosts {
 public:
  // Call inside the lab's private network namespace (enter_private_network()), while single-threaded.
  // Throws NetnsError (one line for the student) when a step fails. Returns in the lab's namespace.
  static TwoHosts create(const HostsConfig& config);
  static TwoHosts create(bool ipv6) {
    HostsConfig config;
    config.ipv6 = ipv6;
    return create(config);
  }
  ~TwoHosts();
  TwoHosts(TwoHosts&& from) noexcept;
  TwoHosts& operator=(TwoHosts&&) = delete;
  TwoHosts(const TwoHosts&) = delete;
  TwoHosts& operator=(const TwoHosts&) = delete;

  // Moves the calling thread into a host's namespace: sockets created afterwards belong to that host.
  void enter(Host host) const;
  void enter_wire() const;  // back to the lab's own namespace
  // Each host forgets the other's MAC address (ARP's answer), so that the next exchange asks again. Returns in
  // the lab's namespace.
  void forget_neighbours() const;

  // The lab's end of each host's cable: an AF_PACKET socket, non-blocking, that does not see its own writes,
  // with kernel receive timestamps (SO_TIMESTAMPNS). Reading it gives the frames that host sends; writing a
  // frame to it delivers the frame to that host.
  int cable(Host host) const { return cable_[index(host)]; }
  // /proc/net/netstat as seen from inside a host (opened there, so it keeps showing that host's counters
  // whichever namespace reads it later), for its kernel's TCP counters.
  int netstat(Host host) const { return netstat_[index(host)]; }
  // A NETLINK_SOCK_DIAG socket opened inside a host, for its kernel's list of TCP sockets (labs/net/sock_diag.hpp).
  int sock_diag(Host host) const { return sock_diag_[index(host)]; }

  std::string address(Host host) const;  // "10.0.0.1" / "10.0.0.2" (IPv6: "fd00::1" / "fd00::2"), or as configured
  static MacAddress mac(Host host);      // 02:00:00:00:00:01 / 02:00:00:00:00:02: the same in every capture
  bool ipv6() const { return config_.ipv6; }
  const HostsConfig& config() const { return config_; }  // with every default filled in
  // The descriptor of a host's network namespace (for a process that joins it through /proc/PID/fd/N).
  int namespace_fd(Host host) const { return host_ns_[index(host)]; }

 private:
  TwoHosts() = default;
  static int index(Host host) { return host == Host::client ? 0 : 1; }
  void build_host(Host host);

  HostsConfig config_;
  int wire_ns_ = -1;
  int host_ns_[2] = {-1, -1};
  int cable_[2] = {-1, -1};
  int netstat_[2] = {-1, -1};
  int sock_diag_[2] = {-1, -1};
};

}  // namespace lab::labs
