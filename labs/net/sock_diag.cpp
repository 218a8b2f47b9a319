// sock_diag by hand. A request is one netlink message: a header (nlmsghdr) and an inet_diag_req_v2 naming the
// family, the protocol, the states wanted (all) and the socket's four values. The kernel answers with an
// inet_diag_msg (state, then the four values in network byte order), or with an NLMSG_ERROR (ENOENT: no socket).
#include "labs/net/sock_diag.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/time.h>

namespace lab::labs {
namespace {

using lab::decode::IpAddress;
using lab::decode::KernelTcpState;

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

// The INET_DIAG_INFO attribute (a struct tcp_info) among those after the inet_diag_msg, if there is one. An older
// kernel's shorter struct leaves the later fields zero; a newer one's longer struct is cut to what this code knows.
lab::decode::KernelTcpFigures figures_in(std::span<const std::uint8_t> message) {
  lab::decode::KernelTcpFigures figures;
  std::size_t offset = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(inet_diag_msg));
  while (offset + sizeof(rtattr) <= message.size()) {
    rtattr attribute{};
    std::memcpy(&attribute, message.data() + offset, sizeof attribute);
    if (attribute.rta_len < sizeof attribute || attribute.rta_len > message.size() - offset) break;
    if (attribute.rta_type == INET_DIAG_INFO) {
      tcp_info info{};
      const std::size_t length = std::min<std::size_t>(attribute.rta_len - RTA_LENGTH(0), sizeof info);
      std::memcpy(&info, message.data() + offset + RTA_LENGTH(0), length);
      figures.known = true;
      figures.rtt_us = info.tcpi_rtt;
      figures.rttvar_us = info.tcpi_rttvar;
      figures.rto_us = info.tcpi_rto;
      figures.cwnd = info.tcpi_snd_cwnd;
      figures.total_retrans = info.tcpi_total_retrans;
      break;
    }
    offset += RTA_ALIGN(attribute.rta_len);
  }
  return figures;
}

}  // namespace

bool read_diag_answer(std::span<const std::uint8_t> chunk, const ConnectionId& connection, DumpMatch& match) {
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
        match.figures = figures_in(chunk.subspan(offset, header.nlmsg_len));
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
  figures_ = {};
  if (fd_ < 0) return KernelTcpState::not_read;
  // One socket, looked up by its four values (no dump: a dump walks the kernel's whole hash table, shared by every
  // namespace, which takes milliseconds). The kernel answers with the connection's socket (request and TIME-WAIT
  // sockets included), else with the listener on its port, else with ENOENT.
  struct {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } query{};
  query.header.nlmsg_len = sizeof query;
  query.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  query.header.nlmsg_flags = NLM_F_REQUEST;
  const bool v6 = connection.local.version == 6;
  query.request.sdiag_family = v6 ? AF_INET6 : AF_INET;
  query.request.sdiag_protocol = IPPROTO_TCP;
  query.request.idiag_states = ~0u;
  query.request.idiag_ext = 1u << (INET_DIAG_INFO - 1);  // and its TCP_INFO
  query.request.id.idiag_sport = htons(connection.local_port);
  query.request.id.idiag_dport = htons(connection.remote_port);
  std::memcpy(query.request.id.idiag_src, connection.local.bytes.data(), v6 ? 16 : 4);
  std::memcpy(query.request.id.idiag_dst, connection.remote.bytes.data(), v6 ? 16 : 4);
  query.request.id.idiag_cookie[0] = query.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, &query, sizeof query, 0, reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0)
    return KernelTcpState::not_read;

  alignas(nlmsghdr) std::uint8_t buffer[8192];
  ssize_t length = -1;
  for (int tries = 0; tries < 8 && length < 0; ++tries) {
    length = recv(fd_, buffer, sizeof buffer, 0);
    if (length < 0 && errno != EINTR) return KernelTcpState::not_read;
  }
  if (length <= 0) return KernelTcpState::not_read;
  DumpMatch match;
  read_diag_answer(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(length)), connection, match);
  if (match.state != 0) remember(connection);
  figures_ = match.figures;
  return resolve_state(match, seen(connection));
}

}  // namespace lab::labs
