// Building the two hosts, step by step, the way one would by hand with `ip netns`, `ip link`, `ip addr`,
// `ip neigh`, `sysctl` and `ethtool`, but with the system calls themselves (no dependency on those programs).
//
// Quiet on purpose: a student should see only the lab's own packets. So the hosts never need ARP or IPv6
// neighbour discovery (permanent neighbour entries, and IFF_NOARP so the kernel would not even try), IPv6 is off
// on eth0 in an IPv4 lab, and in an IPv6 lab eth0 gets no link-local address (so no router solicitation), no
// duplicate address detection and, with IFF_NOARP, no solicited-node group to announce with MLD.
// HostsConfig::arp (the classroom network) lifts the first of these: the hosts then ask for each other's MAC with
// ARP, as real hosts on a LAN do, and the student sees the request and the reply before the first packet.
#include "labs/net/two_hosts.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "labs/net/netns.hpp"
#include "labs/net/offloads.hpp"
#include "labs/net/sock_diag.hpp"

namespace lab::labs {

namespace {

const std::string failed = "cannot build the lab's two hosts: ";

NetnsError failure(const std::string& step, int error, const std::string& what_to_do) {
  return NetnsError(failed + step + ": " + std::strerror(error) + " — " + what_to_do);
}

const char* host_name(Host host) { return host == Host::client ? "client host" : "server host"; }
// The lab's end of a host's cable, in the lab's namespace.
std::string cable_name(Host host) { return host == Host::client ? "cable-client" : "cable-server"; }

// The calling thread's network namespace. /proc/thread-self, not /proc/self: setns() moves one thread.
int open_current_namespace(const std::string& whose) {
  const int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw failure("opening " + whose + " network namespace", errno, "check that /proc is mounted");
  return fd;
}

// `sysctl -w net.ipv6.conf.IF.NAME=VALUE` for the namespace the thread is in (the kernel picks the namespace
// from the thread that opens the file). Returns errno, 0 on success.
int write_ipv6_setting(const std::string& interface, const char* name, const char* value) {
  const std::string path = "/proc/sys/net/ipv6/conf/" + interface + "/" + name;
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const auto size = static_cast<ssize_t>(std::strlen(value));
  const int error = write(fd, value, std::strlen(value)) == size ? 0 : errno;
  close(fd);
  return error;
}

void set_ipv6_setting(const std::string& interface, const char* name, const char* value) {
  const int error = write_ipv6_setting(interface, name, value);
  if (error != 0)
    throw failure(std::string("setting net.ipv6.conf.") + interface + "." + name + " = " + value, error,
                  "check that IPv6 is enabled in this kernel (ipv6.disable=0), or run the lab without --ipv6");
}

// IPv6 off on an interface. A kernel booted without IPv6 has no such setting, which is just as good.
void disable_ipv6(const std::string& interface) {
  const int error = write_ipv6_setting(interface, "disable_ipv6", "1");
  if (error != 0 && error != ENOENT)
    throw failure("setting net.ipv6.conf." + interface + ".disable_ipv6 = 1", error,
                  "check that /proc/sys is writable inside the lab's namespace");
}

// The lab's end of a cable: every frame the host sends (ETH_P_ALL), none of the lab's own writes
// (PACKET_IGNORE_OUTGOING), each stamped by the kernel as it arrives (SO_TIMESTAMPNS, CLOCK_REALTIME).
int open_cable_socket(const std::string& name) {
  const std::string step = "opening a packet socket on " + name;
  const std::string what_to_do = "the lab needs CAP_NET_RAW inside its own namespace, which it normally has";
  // Protocol 0 until bind(): the socket then never sees a frame of another interface.
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure(step, errno, what_to_do);
  const int on = 1;
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = static_cast<int>(if_nametoindex(name.c_str()));
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof on) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0 ||
      bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    close(fd);
    throw failure(step, error, error == ENOPROTOOPT ? "this kernel is older than 4.20 (PACKET_IGNORE_OUTGOING)"
                                                     : what_to_do);
  }
  return fd;
}

// A veth end is usable only once the kernel has seen both ends up and switched on its transmit queue, a moment
// after `up` (the kernel's "link watch" work). Until then every frame written to it is thrown away, the very
// first SYN included. IFF_RUNNING says it is done. Bounded: 2 s is far more than it ever takes.
void wait_until_running(const std::string& name) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure("socket()", errno, "check the process's limit on open files");
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  for (int waited_ms = 0; waited_ms < 2000; ++waited_ms) {
    if (ioctl(fd, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_RUNNING) != 0) {
      close(fd);
      return;
    }
    usleep(1000);
  }
  close(fd);
  throw failure("waiting for " + name + " to come up", ETIMEDOUT, "the kernel is overloaded; try again");
}

// `ip link set NAME mtu N`: the largest IP packet the interface sends in one frame.
void set_mtu(const std::string& name, int mtu) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure("socket()", errno, "check the process's limit on open files");
  ifreq request{};
  std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
  request.ifr_mtu = mtu;
  const int error = ioctl(fd, SIOCSIFMTU, &request) == 0 ? 0 : errno;
  close(fd);
  if (error != 0) throw failure("setting the MTU of " + name + " to " + std::to_string(mtu), error, "choose another --mtu");
}

// Probe frames prove that a cable really carries frames. IEEE 802's "local experimental" EtherType: a host's
// stack ignores it, and nothing else ever uses it here.
constexpr std::uint16_t probe_ethertype = 0x88B5;

bool is_probe(const std::uint8_t* frame, ssize_t length) {
  return length >= 14 && frame[12] == (probe_ethertype >> 8) && frame[13] == (probe_ethertype & 0xFF);
}

// Writes a probe on `from` every millisecond until one is read on `to`, for at most 2 s. Needed because
// IFF_RUNNING is not the end of it: right after both ends are running, a frame the lab writes can still be lost
// (seen on 6.18: the cable's tx_dropped counter grew and the first SYN never arrived, one run in two) while the
// transmit queue is not yet switched on. The link watch does that at once for a veth whose interface number
// differs from its peer's, and up to a second later otherwise: hence the distinct numbers given to each pair
// (create_veth_pair), which took the set-up from ~1.1 s to ~0.1 s after an idle moment. A probe that crosses
// still proves the cable carries.
// Everything `to` reads meanwhile is a probe: the hosts send nothing until the lab gives them sockets.
void wait_until_carrying(int from, int to, const MacAddress& to_mac, const std::string& what) {
  std::uint8_t probe[60] = {};  // the shortest Ethernet frame, zero padded
  std::memcpy(probe, to_mac.data(), to_mac.size());
  probe[12] = probe_ethertype >> 8;
  probe[13] = probe_ethertype & 0xFF;
  std::uint8_t frame[2048];
  for (int attempt = 0; attempt < 2000; ++attempt) {
    send(from, probe, sizeof probe, MSG_DONTWAIT);
    pollfd readable{to, POLLIN, 0};
    if (poll(&readable, 1, 1) <= 0) continue;
    bool arrived = false;
    for (ssize_t n; (n = recv(to, frame, sizeof frame, MSG_DONTWAIT)) >= 0;) arrived = arrived || is_probe(frame, n);
    if (arrived) return;
  }
  throw failure("waiting for " + what + " to carry frames", ETIMEDOUT, "the kernel is overloaded; try again");
}

// A packet socket on the host's eth0 that sees only probes (it would get a copy of every frame otherwise).
int open_probe_socket() {
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(probe_ethertype));
  if (fd < 0) throw failure("opening a packet socket on eth0", errno, "the lab needs CAP_NET_RAW in its namespace");
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(probe_ethertype);
  address.sll_ifindex = static_cast<int>(if_nametoindex("eth0"));
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    close(fd);
    throw failure("binding a packet socket to eth0", error, "the lab needs CAP_NET_RAW in its namespace");
  }
  return fd;
}

void close_if_open(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

}  // namespace

HostsConfig HostsConfig::classroom() {
  return {.ipv6 = false, .client_ip = "192.168.219.164", .server_ip = "192.168.219.113", .prefix = 24, .mtu = 1500,
          .arp = true};
}

HostsConfig HostsConfig::for_lab(bool classroom, bool ipv6, int mtu) {
  HostsConfig config = classroom ? HostsConfig::classroom() : HostsConfig{};
  config.ipv6 = ipv6;
  config.mtu = mtu == 0 ? 1500 : mtu;
  return config;
}

std::string HostsConfig::problem() const {
  const int family = ipv6 ? AF_INET6 : AF_INET;
  const int bits = ipv6 ? 128 : 32;
  const int length = prefix == 0 ? (ipv6 ? 64 : 24) : prefix;
  if (length < 8 || length > bits - 2) return fmt::format("/{}: the prefix must be from 8 to {}", length, bits - 2);
  if (arp && ipv6) return "ARP is IPv4's: with IPv6 the hosts know each other's MAC in advance";
  const int minimum = ipv6 ? 1280 : 576;  // IPv6 needs 1280 (RFC 8200); IPv4 hosts must take 576 (RFC 791)
  if (mtu != 0 && (mtu < minimum || mtu > 65535))
    return fmt::format("--mtu {}: it must be from {} to 65535 for {}", mtu, minimum, ipv6 ? "IPv6" : "IPv4");
  std::array<std::uint8_t, 16> address[2] = {};
  const std::string* texts[2] = {&client_ip, &server_ip};
  for (int i = 0; i < 2; ++i) {
    if (texts[i]->empty()) return {};  // the defaults, which are fine
    if (inet_pton(family, texts[i]->c_str(), address[i].data()) != 1)
      return fmt::format("\"{}\" is not an {} address", *texts[i], ipv6 ? "IPv6" : "IPv4");
  }
  if (address[0] == address[1]) return fmt::format("the two hosts cannot both be {}", client_ip);
  for (int bit = 0; bit < length; ++bit) {
    const auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((address[0][bit / 8] & mask) != (address[1][bit / 8] & mask))
      return fmt::format("{} and {} are not on one /{} network: the hosts share one link, so they must be", client_ip,
                         server_ip, length);
  }
  // Neither may be the network's own address or (IPv4) its broadcast address.
  for (int i = 0; i < 2 && !ipv6; ++i) {
    std::uint32_t value = 0;
    for (int b = 0; b < 4; ++b) value = (value << 8) | address[i][b];
    const std::uint32_t host_bits = length == 32 ? 0 : (0xFFFFFFFFu >> length);
    if ((value & host_bits) == 0 || (value & host_bits) == host_bits)
      return fmt::format("{} is the /{} network's own address or its broadcast address, not a host's", *texts[i],
                         length);
  }
  return {};
}

TwoHosts TwoHosts::create(const HostsConfig& config) {
  if (const std::string problem = config.problem(); !problem.empty()) throw NetnsError("cannot build the two hosts: " + problem);
  TwoHosts hosts;  // closes whatever was opened if a later step throws
  hosts.config_ = config;
  HostsConfig& c = hosts.config_;
  if (c.client_ip.empty() || c.server_ip.empty()) {
    c.client_ip = c.ipv6 ? "fd00::1" : "10.0.0.1";
    c.server_ip = c.ipv6 ? "fd00::2" : "10.0.0.2";
  }
  if (c.prefix == 0) c.prefix = c.ipv6 ? 64 : 24;
  if (c.mtu == 0) c.mtu = 1500;
  hosts.wire_ns_ = open_current_namespace("the lab's");
  hosts.build_host(Host::client);
  hosts.build_host(Host::server);
  for (Host host : {Host::client, Host::server}) {
    hosts.enter(host);
    wait_until_running("eth0");
    const int host_end = open_probe_socket();
    hosts.enter_wire();
    wait_until_running(cable_name(host));
    try {
      const int cable = hosts.cable(host);
      wait_until_carrying(cable, host_end, mac(host), cable_name(host) + " to the " + host_name(host));
      wait_until_carrying(host_end, cable, mac(host), "the " + std::string(host_name(host)) + " to " + cable_name(host));
    } catch (...) {
      close(host_end);
      throw;
    }
    close(host_end);
  }
  return hosts;
}

void TwoHosts::build_host(Host host) {
  const int i = index(host);
  const std::string cable = cable_name(host);

  // The host: a fresh namespace, remembered by an fd (it lives as long as the fd), with its loopback up.
  if (unshare(CLONE_NEWNET) != 0)
    throw failure(std::string("creating the ") + host_name(host) + " (unshare(CLONE_NEWNET))", errno,
                  "create the hosts from inside the lab's private namespace (enter_private_network())");
  host_ns_[i] = open_current_namespace(std::string("the ") + host_name(host) + "'s");
  set_link_up("lo");

  // The cable, from the lab's side: created here, its peer born as eth0 inside the host. The cable has no
  // address and speaks no protocol; it only carries what the lab writes to it.
  enter_wire();
  create_veth_pair(cable, 100 + i, "eth0", 200 + i, host_ns_[i], mac(host));
  disable_ipv6(cable);
  disable_offloads(cable);
  set_mtu(cable, config_.mtu);
  set_link_up(cable, /*noarp=*/true);
  // After `up`: a packet socket bound to an interface that is down keeps an ENETDOWN error pending, which its
  // first send() would return. The host sends nothing yet, so no frame is missed.
  cable_[i] = open_cable_socket(cable);

  // eth0, from inside the host: settings first (they apply when the interface comes up), then up, address,
  // and the other host's hardware address, known in advance.
  enter(host);
  if (config_.ipv6) {
    set_ipv6_setting("eth0", "addr_gen_mode", "1");  // no automatic link-local address
    set_ipv6_setting("eth0", "accept_dad", "0");
    set_ipv6_setting("eth0", "dad_transmits", "0");
    set_ipv6_setting("eth0", "router_solicitations", "0");
    set_ipv6_setting("eth0", "accept_ra", "0");
  } else {
    disable_ipv6("eth0");
  }
  disable_offloads("eth0");
  set_mtu("eth0", config_.mtu);
  set_link_up("eth0", /*noarp=*/!config_.arp);
  add_address("eth0", parse_if_address(address(host) + "/" + std::to_string(config_.prefix)));
  if (!config_.arp) add_permanent_neighbour("eth0", parse_if_address(address(other(host))), mac(other(host)));
  netstat_[i] = open("/proc/thread-self/net/netstat", O_RDONLY | O_CLOEXEC);
  if (netstat_[i] < 0)
    throw failure(std::string("opening the ") + host_name(host) + "'s /proc/net/netstat", errno,
                  "check that /proc is mounted");
  // Without it (a kernel without sock_diag) the lab still runs; its packets then carry no kernel states.
  sock_diag_[i] = open_sock_diag_socket();
}

TwoHosts::~TwoHosts() {
  // Closing the last references lets the kernel delete the host namespaces, and with them both veth pairs.
  close_if_open(wire_ns_);
  for (int i = 0; i < 2; ++i) {
    close_if_open(host_ns_[i]);
    close_if_open(cable_[i]);
    close_if_open(netstat_[i]);
    close_if_open(sock_diag_[i]);
  }
}

TwoHosts::TwoHosts(TwoHosts&& from) noexcept : config_(from.config_) {
  std::swap(wire_ns_, from.wire_ns_);
  std::swap(host_ns_, from.host_ns_);
  std::swap(cable_, from.cable_);
  std::swap(netstat_, from.netstat_);
  std::swap(sock_diag_, from.sock_diag_);
}

void TwoHosts::enter(Host host) const {
  if (setns(host_ns_[index(host)], CLONE_NEWNET) != 0)
    throw failure(std::string("entering the ") + host_name(host) + " (setns)", errno,
                  "a programmer error: enter() needs a thread of the process that created the hosts");
}

void TwoHosts::enter_wire() const {
  if (setns(wire_ns_, CLONE_NEWNET) != 0)
    throw failure("returning to the lab's namespace (setns)", errno,
                  "a programmer error: enter_wire() needs a thread of the process that created the hosts");
}

void TwoHosts::forget_neighbours() const {
  for (Host host : {Host::client, Host::server}) {
    enter(host);
    delete_neighbour("eth0", parse_if_address(address(other(host))));
  }
  enter_wire();
}

std::string TwoHosts::address(Host host) const { return host == Host::client ? config_.client_ip : config_.server_ip; }

MacAddress TwoHosts::mac(Host host) {
  return {0x02, 0x00, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(host == Host::client ? 0x01 : 0x02)};
}

}  // namespace lab::labs
