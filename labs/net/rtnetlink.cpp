// rtnetlink by hand. A request is one netlink message: a header (nlmsghdr), a fixed struct for its family
// (ifinfomsg, ifaddrmsg, ndmsg), then attributes, each a small header (rtattr: length and type) followed by
// its value, padded to 4 bytes. Attributes nest: a nested attribute's value is more attributes. The kernel
// answers a request sent with NLM_F_ACK with an NLMSG_ERROR message whose error is 0 on success.
#include "labs/net/rtnetlink.hpp"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

#include "labs/net/netns.hpp"

namespace lab::labs {

namespace {

const std::string what_to_do = " — check that this kernel has veth (CONFIG_VETH) and network namespaces";

NetnsError failure(const std::string& step, int error) {
  return NetnsError("cannot build the lab's two hosts: " + step + ": " + std::strerror(error) + what_to_do);
}

// One netlink request in a fixed buffer: no allocation, and far larger than any message built here.
class Request {
 public:
  Request(std::uint16_t type, std::uint16_t flags) {
    header()->nlmsg_type = type;
    header()->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    header()->nlmsg_len = NLMSG_LENGTH(0);
  }

  // The family struct that follows the header (ifinfomsg...), zeroed; call once, before any attribute.
  template <typename T>
  T& body() {
    T* value = reinterpret_cast<T*>(NLMSG_DATA(header()));
    header()->nlmsg_len = NLMSG_LENGTH(sizeof(T));
    return *value;
  }

  void add(std::uint16_t type, const void* data, std::size_t size) {
    const std::size_t offset = NLMSG_ALIGN(header()->nlmsg_len);
    if (offset + RTA_SPACE(size) > sizeof(buffer_)) throw failure("building a netlink request", EMSGSIZE);
    auto* attribute = reinterpret_cast<rtattr*>(buffer_ + offset);
    attribute->rta_type = type;
    attribute->rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
    if (size > 0) std::memcpy(RTA_DATA(attribute), data, size);
    header()->nlmsg_len = static_cast<std::uint32_t>(offset + RTA_SPACE(size));
  }
  void add_string(std::uint16_t type, const std::string& text) { add(type, text.c_str(), text.size() + 1); }
  void add_u32(std::uint16_t type, std::uint32_t value) { add(type, &value, sizeof value); }

  // A nested attribute: begin() returns where it starts; end() writes its final length.
  std::size_t begin(std::uint16_t type) {
    const std::size_t offset = NLMSG_ALIGN(header()->nlmsg_len);
    add(type, nullptr, 0);
    return offset;
  }
  // Raw bytes inside a nested attribute (the peer's ifinfomsg inside VETH_INFO_PEER).
  template <typename T>
  T& add_struct(const T& value) {
    const std::size_t offset = NLMSG_ALIGN(header()->nlmsg_len);
    if (offset + NLMSG_ALIGN(sizeof(T)) > sizeof(buffer_)) throw failure("building a netlink request", EMSGSIZE);
    std::memcpy(buffer_ + offset, &value, sizeof(T));
    header()->nlmsg_len = static_cast<std::uint32_t>(offset + NLMSG_ALIGN(sizeof(T)));
    return *reinterpret_cast<T*>(buffer_ + offset);
  }
  void end(std::size_t nest_offset) {
    auto* attribute = reinterpret_cast<rtattr*>(buffer_ + nest_offset);
    attribute->rta_len = static_cast<unsigned short>(header()->nlmsg_len - nest_offset);
  }

  // Sends the request on a fresh NETLINK_ROUTE socket (it belongs to the caller's current namespace) and
  // waits for the kernel's acknowledgement. `step` names the request in the error.
  void send_and_check(const std::string& step) {
    const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) throw failure(step + " (netlink socket)", errno);
    header()->nlmsg_seq = 1;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    int error = 0;
    if (sendto(fd, buffer_, header()->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
      error = errno;
    } else {
      error = read_ack(fd);
    }
    close(fd);
    if (error != 0) throw failure(step, error);
  }

 private:
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(buffer_); }

  // The kernel's answer: an NLMSG_ERROR carrying -errno, or 0 for "done".
  static int read_ack(int fd) {
    alignas(nlmsghdr) char reply[4096];
    const ssize_t received = recv(fd, reply, sizeof reply, 0);
    if (received < 0) return errno;
    auto remaining = static_cast<unsigned>(received);
    for (auto* message = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(message, remaining);
         message = NLMSG_NEXT(message, remaining)) {
      if (message->nlmsg_type == NLMSG_ERROR) return -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(message))->error;
    }
    return EPROTO;
  }

  alignas(nlmsghdr) char buffer_[1024] = {};
};

unsigned interface_index(const std::string& name, const std::string& step) {
  const unsigned index = if_nametoindex(name.c_str());
  if (index == 0) throw failure(step + " (no interface " + name + ")", errno);
  return index;
}

std::size_t address_size(const IfAddress& address) { return address.family == AF_INET ? 4 : 16; }

}  // namespace

IfAddress parse_if_address(const std::string& text) {
  IfAddress address;
  const std::size_t slash = text.find('/');
  const std::string ip = text.substr(0, slash);
  address.family = ip.find(':') == std::string::npos ? AF_INET : AF_INET6;
  if (inet_pton(address.family, ip.c_str(), address.bytes.data()) != 1)
    throw NetnsError("cannot build the lab's two hosts: '" + text + "' is not an IP address (a programmer error)");
  if (slash != std::string::npos) address.prefix_len = static_cast<std::uint8_t>(std::stoi(text.substr(slash + 1)));
  return address;
}

void create_veth_pair(const std::string& name, int index, const std::string& peer_name, int peer_index,
                      int peer_netns_fd, const MacAddress& peer_mac) {
  Request request(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  request.body<ifinfomsg>().ifi_family = AF_UNSPEC;
  request.body<ifinfomsg>().ifi_index = index;
  request.add_string(IFLA_IFNAME, name);
  const std::size_t link_info = request.begin(IFLA_LINKINFO);
  request.add_string(IFLA_INFO_KIND, "veth");
  const std::size_t info_data = request.begin(IFLA_INFO_DATA);
  // The peer is described like a whole RTM_NEWLINK of its own: an ifinfomsg, then its attributes.
  const std::size_t peer = request.begin(VETH_INFO_PEER);
  ifinfomsg peer_link{};
  peer_link.ifi_index = peer_index;
  request.add_struct(peer_link);
  request.add_string(IFLA_IFNAME, peer_name);
  request.add_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(peer_netns_fd));
  request.add(IFLA_ADDRESS, peer_mac.data(), peer_mac.size());
  request.end(peer);
  request.end(info_data);
  request.end(link_info);
  request.send_and_check("creating the veth pair " + name + " <-> " + peer_name);
}

void set_link_up(const std::string& name, bool noarp) {
  const std::string step = "bringing " + name + " up";
  Request request(RTM_NEWLINK, 0);
  auto& link = request.body<ifinfomsg>();
  link.ifi_family = AF_UNSPEC;
  link.ifi_index = static_cast<int>(interface_index(name, step));
  const unsigned flags = noarp ? unsigned{IFF_UP} | unsigned{IFF_NOARP} : unsigned{IFF_UP};
  link.ifi_flags = flags;
  link.ifi_change = flags;  // only these bits change
  request.send_and_check(step);
}

void add_address(const std::string& name, const IfAddress& address) {
  const std::string step = "adding an address to " + name;
  Request request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto& body = request.body<ifaddrmsg>();
  body.ifa_family = static_cast<unsigned char>(address.family);
  body.ifa_prefixlen = address.prefix_len;
  body.ifa_scope = RT_SCOPE_UNIVERSE;
  body.ifa_index = interface_index(name, step);
  request.add(IFA_LOCAL, address.bytes.data(), address_size(address));
  request.add(IFA_ADDRESS, address.bytes.data(), address_size(address));
  // IFA_FLAGS (32 bits) rather than ifa_flags (8 bits): the kernel reads the attribute when present.
  if (address.family == AF_INET6) request.add_u32(IFA_FLAGS, IFA_F_NODAD);
  request.send_and_check(step);
}

void add_permanent_neighbour(const std::string& name, const IfAddress& address, const MacAddress& mac) {
  const std::string step = "adding a neighbour entry on " + name;
  Request request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE);
  auto& body = request.body<ndmsg>();
  body.ndm_family = static_cast<std::uint8_t>(address.family);
  body.ndm_ifindex = static_cast<int>(interface_index(name, step));
  body.ndm_state = NUD_PERMANENT;
  request.add(NDA_DST, address.bytes.data(), address_size(address));
  request.add(NDA_LLADDR, mac.data(), mac.size());
  request.send_and_check(step);
}

void delete_neighbour(const std::string& name, const IfAddress& address) {
  const std::string step = "deleting a neighbour entry on " + name;
  Request request(RTM_DELNEIGH, 0);
  auto& body = request.body<ndmsg>();
  body.ndm_family = static_cast<std::uint8_t>(address.family);
  body.ndm_ifindex = static_cast<int>(interface_index(name, step));
  request.add(NDA_DST, address.bytes.data(), address_size(address));
  try {
    request.send_and_check(step);
  } catch (const NetnsError&) {
    // ENOENT: the host had not learned it. Any other failure shows as ARP missing from the capture, not as harm.
  }
}

}  // namespace lab::labs
