#pragma once
// The wire between the two lab hosts (labs/net/two_hosts.hpp). Every frame one host sends is read here, stamped,
// handed to the capture exactly as it was sent (Ethernet), then delivered to the other host at once, later
// (--delay) or never (--drop, --loss; the capture marks it "dropped by the lab"). For each TCP frame it also
// reads the sending kernel's counters, so that a retransmission can say what triggered it, and both kernels'
// states for its connection (sock_diag): the sender's as it sent it, the receiver's once it was delivered.
// No Asio here: the caller waits for the cables to be readable and for next_due(), and calls in.
#include <cstdint>
#include <span>
#include <optional>
#include <vector>

#include "capture/pcap/frame_sink.hpp"
#include "labs/net/fault_plan.hpp"
#include "labs/net/kernel_counters.hpp"
#include "labs/net/sock_diag.hpp"
#include "labs/net/two_hosts.hpp"

namespace lab::labs {

class Wire {
 public:
  // `hosts` and `capture` must outlive the wire. Reads both hosts' counters as a baseline.
  Wire(const TwoHosts& hosts, FaultOptions faults, lab::pcap::FrameSink& capture);

  // Reads every frame waiting on `from`'s cable (non-blocking, at most max_frames_per_call): captures each,
  // then delivers, holds or drops it. Call it when the cable's socket is readable.
  void carry_from(Host from);
  // The same for both cables at once, in the order the frames reached them (the capture stays in time order).
  void carry_all();
  // A host's application closed a socket at `time_ns` (CLOCK_REALTIME): the host's state may change without a frame,
  // so a reading taken after that call cannot speak for a frame sent before it.
  void application_closed(Host host, std::int64_t time_ns) { last_close_ns_[static_cast<int>(host)] = time_ns; }
  // New faults from the next frame on (lab net set): the drop rules count afresh, the loss draws anew from its seed.
  // Frames already held keep their times; a shorter delay never lets a later frame overtake an earlier one.
  void set_faults(FaultOptions faults);
  // When the next held frame is due (CLOCK_REALTIME ns), if one is held.
  std::optional<std::int64_t> next_due() const;
  // Delivers the held frames due by `now_ns` (CLOCK_REALTIME).
  void deliver_due(std::int64_t now_ns);

  struct Stats {
    std::uint64_t carried = 0;      // frames read from either cable
    std::uint64_t dropped = 0;      // by a --drop rule or by --loss
    std::uint64_t delivered = 0;    // written to the other cable
    std::uint64_t overflowed = 0;   // lost because max_held frames were already waiting (--delay)
    std::uint64_t send_failed = 0;  // lost because the other host's queue was full (EAGAIN, ENOBUFS)
  };
  const Stats& stats() const { return stats_; }
  const FaultPlan& faults() const { return plan_; }  // what it decided so far (e.g. a --drop rule never used)

  static constexpr std::size_t max_frames_per_call = 256;  // then the caller's loop gets a turn
  static constexpr std::size_t max_held = 10000;           // frames waiting (--delay, or for their receiver)

 private:
  struct HeldFrame {
    std::int64_t due_ns = 0;
    Host to = Host::client;
    std::uint64_t id = 0;
    bool tcp = false;
    ConnectionId receiver;            // the connection as the receiving host sees it (for its kernel's state)
    std::vector<std::uint8_t> bytes;  // keeps its capacity from one use to the next
  };

  struct Received {
    std::size_t length = 0;  // the frame's real length (it may exceed what was read)
    std::int64_t time_ns = 0;
  };
  std::optional<Received> receive(Host from, bool peek);
  bool carry_one(Host from);  // false: nothing to read
  lab::decode::SendTrigger trigger_for(Host from, const lab::decode::DecodedPacket& packet);
  bool send_to(Host to, std::span<const std::uint8_t> frame);
  void hold(Host to, std::int64_t due_ns, std::uint64_t id, const ConnectionId* receiver,
            std::span<const std::uint8_t> frame);
  bool cable_has_frame(Host host);
  // A host's kernel state for the connection; not_read if the host has already sent more than the wire has taken.
  // `since_ns`: the frame's capture time (an application's close after it also makes the reading too late).
  lab::decode::KernelTcpState settled_state(Host host, const ConnectionId& connection, std::int64_t since_ns);
  // The receiver's reading right after a frame reached it, doubted as settled_state doubts (closed_since).
  lab::decode::KernelTcpState received_state(Host host, const ConnectionId& connection);
  // Whether a reading in a state only a close() produces was taken after the host's program closed (its next frame
  // comes at once), rather than before.
  bool closed_since(Host host, lab::decode::KernelTcpState state);

  const TwoHosts& hosts_;
  FaultPlan plan_;
  lab::pcap::FrameSink& capture_;
  SocketDiag diag_[2];                 // per host: its kernel's socket list
  std::uint64_t next_id_ = 0;
  std::int64_t last_close_ns_[2] = {0, 0};  // per host: its application's latest close() or shutdown()
  std::int64_t delay_ns_ = 0;
  TcpCounters last_counters_[2];       // per host: at its previous TCP frame
  std::vector<std::uint8_t> frame_;    // the frame being carried
  std::vector<HeldFrame> held_;        // a ring of max_held slots, in due order
  std::size_t held_first_ = 0;
  std::size_t held_count_ = 0;
  Stats stats_;
};

}  // namespace lab::labs
