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
};

// "timeout", "tail_loss_probe", ... as the JSON `send_trigger` field spells them; "unknown" for unknown.
inline const char* send_trigger_name(SendTrigger trigger) {
  switch (trigger) {
    case SendTrigger::timeout: return "timeout";
    case SendTrigger::tail_loss_probe: return "tail_loss_probe";
    case SendTrigger::fast_retransmit: return "fast_retransmit";
    case SendTrigger::delayed_ack: return "delayed_ack";
    case SendTrigger::unknown: break;
  }
  return "unknown";
}

// What the lab's own wire did with a frame (`lab tcp-echo --drop ...`): it captures each frame as it was sent,
// then delivers, delays or drops it. A frame from a file or from libpcap has the defaults.
struct WireNote {
  bool dropped = false;  // never delivered: the receiving host's stack does not see it
  SendTrigger trigger = SendTrigger::unknown;
  std::int64_t delivered_ns = 0;  // when the wire hands it to the receiver (the time it is due, with --delay); 0: not
                                  // a frame of the lab's wire, or dropped
};

struct Frame {
  std::int64_t time_ns = 0;              // capture time, nanoseconds since the Unix epoch
  std::uint32_t link_type = 0;           // one of link_type::*
  std::uint32_t wire_len = 0;            // length on the wire (pcap "len")
  std::span<const std::uint8_t> bytes;   // what was captured (pcap "caplen" bytes); may be shorter
  WireNote wire{};                       // lab runs only: what the lab's wire did with it
};

}  // namespace lab::decode
