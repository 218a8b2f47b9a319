#pragma once
// The kernel's own list of a host's TCP sockets, read with sock_diag (a NETLINK_SOCK_DIAG socket, inet_diag
// requests): what `ss -tan` shows. The wire asks it after each frame, so that every packet of a lab carries the
// state each kernel really holds, listeners, request sockets and TIME-WAIT included: the oracle the tracker's
// states are checked against.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/decode/frame.hpp"
#include "capture/decode/ip_address.hpp"

namespace lab::labs {

// One TCP connection as one host sees it: its own address and port, then the peer's.
struct ConnectionId {
  lab::decode::IpAddress local;
  std::uint16_t local_port = 0;
  lab::decode::IpAddress remote;
  std::uint16_t remote_port = 0;
  bool operator==(const ConnectionId&) const = default;
};

// One socket of an inet_diag answer.
struct DiagSocket {
  std::uint8_t state = 0;  // Linux's number (KernelTcpState), TCP_NEW_SYN_RECV already reported as SYN_RECV
  ConnectionId id;
};

// What the kernel's answer says of one connection: its socket's state if one matches, and whether a socket listens on its
// local port.
struct DumpMatch {
  std::uint8_t state = 0;  // 0: no socket for the connection
  bool listener = false;
  lab::decode::KernelTcpFigures figures;  // the connection's TCP_INFO, when its socket has one
};

// Reads the kernel's answer (netlink messages, each an inet_diag_msg) and folds it into `match`. Returns false once
// the answer is over (NLMSG_DONE, or an error message such as ENOENT); true if more may follow. Bounds-checked: a
// short or malformed message ends it.
bool read_diag_answer(std::span<const std::uint8_t> chunk, const ConnectionId& connection, DumpMatch& match);

// The state of `connection` from the answer's verdict, and what this reader has seen before: no socket means
// LISTEN before the connection had one (if something listens on the port) and CLOSED after.
lab::decode::KernelTcpState resolve_state(const DumpMatch& match, bool seen_before);

class SocketDiag {
 public:
  // `fd`: a NETLINK_SOCK_DIAG socket opened inside the host (open_sock_diag_socket()); the caller keeps owning it.
  explicit SocketDiag(int fd) : fd_(fd) {}

  // The kernel's state for `connection` now; not_read if the kernel could not be asked.
  lab::decode::KernelTcpState state_of(const ConnectionId& connection);
  // The TCP_INFO figures that came with the last state_of's answer (known: false when it had none).
  const lab::decode::KernelTcpFigures& figures() const { return figures_; }

 private:
  bool seen(const ConnectionId& connection) const;
  void remember(const ConnectionId& connection);

  int fd_ = -1;
  lab::decode::KernelTcpFigures figures_;
  std::array<ConnectionId, 8> seen_{};  // connections that have had a socket here (a ring: the lab has one or two)
  std::size_t seen_count_ = 0;
};

// A NETLINK_SOCK_DIAG socket in the calling thread's network namespace (it keeps answering for that namespace
// whichever one reads it later), with a receive timeout so that a silent kernel cannot hang the lab. -1 on failure.
int open_sock_diag_socket();

}  // namespace lab::labs
