// sock_diag by hand. A dump request is one netlink message: a header (nlmsghdr) and an inet_diag_req_v2 naming
// the family, the protocol and the states wanted (all). The kernel answers with one message per socket (an
// inet_diag_msg: state, then the four address values in network byte order) spread over several reads, and ends
// with NLMSG_DONE. The lab's hosts hold a handful of sockets, so one dump is a read or two.
#include "labs/net/sock_diag.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sys/time.h>

namespace lab::labs {
namespace {

using lab::decode::IpAddress;
using lab::decode::KernelTcpState;

constexpr std::size_t max_reads_per_dump = 64;  // a dump of the lab's few sockets takes one or two
constexpr std::uint8_t linux_listen = 10;
constexpr std::uint8_t linux_new_syn_recv = 12;
constexpr std::uint8_t linux_syn_recv = 3;

std::uint16_t from_network(std::uint16_t value) { return ntohs(value); }

IpAddress address_of(std::uint8_t family, const __be32 (&words)[4]) {
  IpAddress address;
  address.version = family == AF_INET6 ? 6 : 4;
  std::memcpy(address.bytes.data(), words, family == AF_INET6 ? 16 : 4);  // network byte order, as packets have it
  return address;
}

}  // namespace

bool read_dump_chunk(std::span<const std::uint8_t> chunk, const ConnectionId& connection, DumpMatch& match) {
  std::size_t offset = 0;
  while (chunk.size() - offset >= sizeof(nlmsghdr)) {
    nlmsghdr header{};
    std::memcpy(&header, chunk.data() + offset, sizeof header);
    if (header.nlmsg_len < sizeof header || header.nlmsg_len > chunk.size() - offset) return false;
    if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR) return false;
    if (header.nlmsg_type == SOCK_DIAG_BY_FAMILY && header.nlmsg_len >= NLMSG_LENGTH(sizeof(inet_diag_msg))) {
      inet_diag_msg message{};
      std::memcpy(&message, chunk.data() + offset + NLMSG_HDRLEN, sizeof message);
      DiagSocket socket;
      socket.state = message.idiag_state == linux_new_syn_recv ? linux_syn_recv : message.idiag_state;
      socket.id.local = address_of(message.idiag_family, message.id.idiag_src);
      socket.id.local_port = from_network(message.id.idiag_sport);
      socket.id.remote = address_of(message.idiag_family, message.id.idiag_dst);
      socket.id.remote_port = from_network(message.id.idiag_dport);
      if (socket.state == linux_listen) {
        if (socket.id.local_port == connection.local_port) match.listener = true;
      } else if (socket.id == connection) {
        match.state = socket.state;
      }
    }
    offset += NLMSG_ALIGN(header.nlmsg_len);
    if (offset > chunk.size()) return false;
  }
  return true;
}

KernelTcpState resolve_state(const DumpMatch& match, bool seen_before) {
  if (match.state != 0 && match.state <= static_cast<std::uint8_t>(KernelTcpState::closing))
    return static_cast<KernelTcpState>(match.state);
  if (match.state != 0) return KernelTcpState::not_read;  // a state this code does not know
  return match.listener && !seen_before ? KernelTcpState::listen : KernelTcpState::close;
}

int open_sock_diag_socket() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -1;
  const timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

bool SocketDiag::seen(const ConnectionId& connection) const {
  for (std::size_t i = 0; i < seen_count_ && i < seen_.size(); ++i)
    if (seen_[i] == connection) return true;
  return false;
}

void SocketDiag::remember(const ConnectionId& connection) {
  if (seen(connection)) return;
  seen_[seen_count_ % seen_.size()] = connection;
  ++seen_count_;
}

KernelTcpState SocketDiag::state_of(const ConnectionId& connection) {
  if (fd_ < 0) return KernelTcpState::not_read;
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } dump{};
  dump.header.nlmsg_len = sizeof dump;
  dump.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  dump.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  dump.request.sdiag_family = connection.local.version == 6 ? AF_INET6 : AF_INET;
  dump.request.sdiag_protocol = IPPROTO_TCP;
  dump.request.idiag_states = ~0u;  // every state: listeners, request sockets and TIME-WAIT too
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, &dump, sizeof dump, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0)
    return KernelTcpState::not_read;

  alignas(nlmsghdr) std::uint8_t buffer[16384];
  DumpMatch match;
  bool more = true;
  for (std::size_t reads = 0; more && reads < max_reads_per_dump; ++reads) {
    const ssize_t length = recv(fd_, buffer, sizeof buffer, 0);
    if (length < 0 && errno == EINTR) continue;
    if (length <= 0) return KernelTcpState::not_read;
    more = read_dump_chunk(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(length)), connection, match);
  }
  if (more) return KernelTcpState::not_read;  // the dump did not end: do not guess from half of it
  if (match.state != 0) remember(connection);
  return resolve_state(match, seen(connection));
}

}  // namespace lab::labs
