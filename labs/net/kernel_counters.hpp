#pragma once
// The TCP counters a Linux kernel keeps for its whole network namespace (TcpExt in /proc/net/netstat). Each lab
// host has its own namespace, so the counters of a host count only the lab's own connection: the kernel's own
// word on why it retransmitted (a timeout, a tail-loss probe, a fast retransmit).
#include <cstdint>
#include <string_view>

namespace lab::labs {

struct TcpCounters {
  std::uint64_t timeouts = 0;        // TCPTimeouts: the retransmission timer expired (SYN timer included)
  std::uint64_t loss_probes = 0;     // TCPLossProbes: tail-loss probes sent
  std::uint64_t fast_retrans = 0;    // TCPFastRetrans: fast retransmissions
  std::uint64_t syn_retrans = 0;     // TCPSynRetrans: SYN and SYN-ACK retransmissions
  std::uint64_t delayed_acks = 0;    // DelayedACKs: ACKs sent by the delayed-ACK timer
};

// Parses the text of /proc/net/netstat (the "TcpExt:" header and value lines). Missing fields stay 0.
TcpCounters parse_tcp_counters(std::string_view netstat_text);
// Re-reads an open /proc/net/netstat (pread from offset 0). All zero if it cannot be read.
TcpCounters read_tcp_counters(int netstat_fd);

}  // namespace lab::labs
