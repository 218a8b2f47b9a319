#pragma once
// A captured frame as the pcap adapter hands it to the core: when, which link layer, how long it was on the
// wire and the bytes that were actually captured (possibly fewer: the snap length cuts long frames).
#include <cstdint>
#include <span>

namespace lab::decode {

// Link-layer header types, as libpcap's pcap_datalink() reports them (DLT_*), plus the LINKTYPE_* values a
// pcap file stores where they differ. See https://www.tcpdump.org/linktypes.html
namespace link_type {
inline constexpr std::uint32_t null = 0;          // BSD loopback: 4-byte address family, host byte order
inline constexpr std::uint32_t ethernet = 1;      // Ethernet II (what Linux gives for lo and eth*)
inline constexpr std::uint32_t raw = 12;          // raw IP (DLT_RAW on Linux)
inline constexpr std::uint32_t raw_openbsd = 14;  // raw IP (DLT_RAW on OpenBSD)
inline constexpr std::uint32_t raw_file = 101;    // raw IP (LINKTYPE_RAW in files)
inline constexpr std::uint32_t loop = 108;        // OpenBSD loopback: address family in network byte order
inline constexpr std::uint32_t linux_sll = 113;   // Linux "cooked" v1 (tcpdump -i any, older libpcap)
inline constexpr std::uint32_t ipv4 = 228;        // raw IPv4
inline constexpr std::uint32_t ipv6 = 229;        // raw IPv6
inline constexpr std::uint32_t linux_sll2 = 276;  // Linux "cooked" v2 (tcpdump -i any, libpcap >= 1.10)
}  // namespace link_type

// Why the sending kernel (re)transmitted a segment, as its own counters tell (TcpExt in /proc/net/netstat).
// Only the lab's wire can know it: it reads the sender's counters as each frame passes.
enum class SendTrigger : std::uint8_t {
  unknown,          // not known (every frame read from a file or from libpcap)
  timeout,          // the retransmission timer (RTO) expired; for a SYN, the SYN timer
  tail_loss_probe,  // Linux's tail-loss probe (TLP, RFC 8985): the last segment resent after about two round trips of silence
  fast_retransmit,  // duplicate ACKs or SACKs reported the loss (RFC 5681 fast retransmit / RACK)
  delayed_ack,      // a bare ACK sent by the delayed-ACK timer (DelayedACKs), not at once
  repeated_syn,     // a SYN-ACK sent again without a timer (TCPSynRetrans grew, TCPTimeouts did not): a repeated SYN
};

// "timeout", "tail_loss_probe", ... as the JSON `send_trigger` field spells them; "unknown" for unknown.
inline const char* send_trigger_name(SendTrigger trigger) {
  switch (trigger) {
    case SendTrigger::timeout: return "timeout";
    case SendTrigger::tail_loss_probe: return "tail_loss_probe";
    case SendTrigger::fast_retransmit: return "fast_retransmit";
    case SendTrigger::delayed_ack: return "delayed_ack";
    case SendTrigger::repeated_syn: return "repeated_syn";
    case SendTrigger::unknown: break;
  }
  return "unknown";
}

// What the lab's own wire did with a frame (`lab tcp-echo --drop ...`): it captures each frame as it was sent,
// then delivers, delays or drops it. A frame from a file or from libpcap has the defaults.
// A TCP endpoint's state as its kernel reports it (sock_diag), in Linux's own numbering (include/net/tcp_states.h),
// so that this layer carries the kernel's word as it is; capture/flow maps it onto RFC 9293's names.
enum class KernelTcpState : std::uint8_t {
  not_read = 0,  // not observable at this packet (not the lab's wire, UDP, or the host had already moved on)
  established = 1,
  syn_sent = 2,
  syn_recv = 3,  // also a request socket (TCP_NEW_SYN_RECV): a SYN answered, the connection not yet accepted
  fin_wait1 = 4,
  fin_wait2 = 5,
  time_wait = 6,
  close = 7,  // no socket for the connection (any more): RFC 9293's CLOSED
  close_wait = 8,
  last_ack = 9,
  listen = 10,  // no socket for the connection yet, but one listens on its port
  closing = 11,
};

// The wire's reading of both hosts' kernels for one TCP frame, the moment it had passed: the sender's state
// right after it sent the frame (before the wire took its next one), the receiver's right after the frame was
// delivered (or dropped).
// A few of the figures the kernel keeps for a connection (TCP_INFO, as `ss -ti` shows them), read with its state.
// Only a full socket has them: not a listener's request socket, not one in TIME-WAIT.
struct KernelTcpFigures {
  bool known = false;
  std::uint32_t rtt_us = 0;         // smoothed round-trip time (SRTT, RFC 6298)
  std::uint32_t rttvar_us = 0;      // its variation (RTTVAR)
  std::uint32_t rto_us = 0;         // the retransmission timeout the kernel would use now (RTO)
  std::uint32_t cwnd = 0;           // congestion window, in segments
  std::uint32_t total_retrans = 0;  // segments this socket has sent again, all kinds
};

struct KernelView {
  KernelTcpState client = KernelTcpState::not_read;  // the lab's client host
  KernelTcpState server = KernelTcpState::not_read;  // the lab's server host
  KernelTcpFigures client_figures;
  KernelTcpFigures server_figures;
};

struct WireNote {
  bool dropped = false;  // never delivered: the receiving host's stack does not see it
  SendTrigger trigger = SendTrigger::unknown;
  // When the wire hands it to the receiver; 0: not a frame of the lab's wire, or dropped. A frame the wire holds
  // (--delay, or behind its receiver's own frames) has a placeholder later than its capture time here, and the real
  // time comes with FrameSink::on_delivered.
  std::int64_t delivered_ns = 0;
  std::uint64_t id = 0;           // the wire's number for it (1, 2, ...): FrameSink::on_delivered names it so
  KernelView kernel;              // for a held frame, the receiver's reading comes with on_delivered
};

struct Frame {
  std::int64_t time_ns = 0;              // capture time, nanoseconds since the Unix epoch
  std::uint32_t link_type = 0;           // one of link_type::*
  std::uint32_t wire_len = 0;            // length on the wire (pcap "len")
  std::span<const std::uint8_t> bytes;   // what was captured (pcap "caplen" bytes); may be shorter
  WireNote wire{};                       // lab runs only: what the lab's wire did with it
};

}  // namespace lab::decode
