#include "labs/net/wire.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "capture/decode/packet.hpp"

namespace lab::labs {

namespace {

using lab::decode::SendTrigger;

// Far more than a frame can be with the offloads off (1514 bytes); a 64 KB super-frame would still fit whole.
constexpr std::size_t frame_buffer_size = 65536;

std::int64_t realtime_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

Direction direction_from(Host from) { return from == Host::client ? Direction::to_server : Direction::to_client; }

// The packet's connection as its sender and as its receiver see it.
ConnectionId sender_side(const lab::decode::DecodedPacket& packet) {
  return {*packet.src_ip(), packet.tcp->src_port, *packet.dst_ip(), packet.tcp->dst_port};
}
ConnectionId receiver_side(const lab::decode::DecodedPacket& packet) {
  return {*packet.dst_ip(), packet.tcp->dst_port, *packet.src_ip(), packet.tcp->src_port};
}

// `diag` is the host's reader that just gave `state`: its TCP_INFO figures go with it, if the state stands.
void set_view(lab::decode::KernelView& view, Host host, lab::decode::KernelTcpState state, const SocketDiag& diag) {
  (host == Host::client ? view.client : view.server) = state;
  (host == Host::client ? view.client_figures : view.server_figures) =
      state == lab::decode::KernelTcpState::not_read ? lab::decode::KernelTcpFigures{} : diag.figures();
}

}  // namespace

Wire::Wire(const TwoHosts& hosts, FaultOptions faults, lab::pcap::FrameSink& capture)
    : hosts_(hosts),
      plan_(std::move(faults)),
      capture_(capture),
      diag_{SocketDiag(hosts.sock_diag(Host::client)), SocketDiag(hosts.sock_diag(Host::server))},
      delay_ns_(static_cast<std::int64_t>(plan_.options().delay_ms) * 1'000'000),
      frame_(frame_buffer_size) {
  for (Host host : {Host::client, Host::server})
    last_counters_[static_cast<int>(host)] = read_tcp_counters(hosts_.netstat(host));
  held_.resize(max_held);  // for --delay, and for frames that must wait for their receiver's earlier ones
}

void Wire::carry_from(Host from) {
  for (std::size_t i = 0; i < max_frames_per_call; ++i)
    if (!carry_one(from)) return;
}

void Wire::carry_all() {
  // Both hosts may have sent while the lab was busy: take the frames in the order the cables received them,
  // so that the capture (and the --write file) is in time order across both directions.
  for (std::size_t i = 0; i < max_frames_per_call; ++i) {
    const auto client = receive(Host::client, true);
    const auto server = receive(Host::server, true);
    if (!client && !server) return;
    const Host from = !server || (client && client->time_ns <= server->time_ns) ? Host::client : Host::server;
    if (!carry_one(from)) return;
  }
}

// recvmsg() for the kernel's arrival stamp; MSG_TRUNC makes it return the frame's real length. With `peek` the
// frame stays on the cable. nullopt: the cable is empty (EAGAIN), or cannot be read now.
std::optional<Wire::Received> Wire::receive(Host from, bool peek) {
  for (;;) {
    iovec data{frame_.data(), peek ? 1 : frame_.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr message{};
    message.msg_iov = &data;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const ssize_t length = recvmsg(hosts_.cable(from), &message, MSG_TRUNC | (peek ? MSG_PEEK : 0));
    if (length < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    Received received{static_cast<std::size_t>(length), 0};
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec stamp{};
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        received.time_ns = static_cast<std::int64_t>(stamp.tv_sec) * 1'000'000'000 + stamp.tv_nsec;
      }
    }
    if (received.time_ns == 0) received.time_ns = realtime_now_ns();
    return received;
  }
}

bool Wire::carry_one(Host from) {
  {
    const auto received = receive(from, false);
    if (!received) return false;
    const std::size_t length = received->length;
    const std::int64_t time_ns = received->time_ns;
    ++stats_.carried;

    lab::decode::Frame frame;
    frame.time_ns = time_ns;
    frame.link_type = lab::decode::link_type::ethernet;
    frame.wire_len = static_cast<std::uint32_t>(length);
    frame.bytes = std::span<const std::uint8_t>(frame_.data(), std::min<std::size_t>(length, frame_.size()));

    const lab::decode::DecodedPacket packet = lab::decode::decode_packet(frame);
    const Verdict verdict = plan_.decide(direction_from(from), packet);
    const Host to = other(from);
    frame.wire.id = ++next_id_;
    // The kernels' word on the connection's states: the sender's now, as it has just sent this frame (unless it
    // has sent more already), the receiver's once the frame reaches it.
    const bool tcp = packet.tcp && packet.has_ip();
    if (tcp) {
      frame.wire.trigger = trigger_for(from, packet);
      set_view(frame.wire.kernel, from, settled_state(from, sender_side(packet), time_ns), diag_[static_cast<int>(from)]);
    }

    if (verdict.drop) {
      ++stats_.dropped;
      frame.wire.dropped = true;
    } else if (delay_ns_ > 0) {
      if (held_count_ < max_held) {
        const ConnectionId receiver = tcp ? receiver_side(packet) : ConnectionId{};
        hold(to, time_ns + delay_ns_, frame.wire.id, tcp ? &receiver : nullptr, frame.bytes);
        frame.wire.delivered_ns = time_ns + delay_ns_;  // released when due (deliver_due), which reads the receiver
      } else {
        ++stats_.overflowed;  // a real router's full queue does the same: tail drop
        frame.wire.dropped = true;
      }
    } else if (cable_has_frame(to) || held_count_ > 0) {
      // The receiver sent frames before this one reaches it: they wait on its cable. The wire takes them first (the
      // caller's carry_all goes on), so that the timeline has them in the order the receiver lived them, and delivers
      // this one right after (deliver_due), behind anything already waiting.
      if (held_count_ < max_held) {
        const ConnectionId receiver = tcp ? receiver_side(packet) : ConnectionId{};
        // Due at once (its capture time keeps the ring in order); the time it is handed over comes with on_delivered.
        hold(to, time_ns, frame.wire.id, tcp ? &receiver : nullptr, frame.bytes);
        frame.wire.delivered_ns = time_ns + 1;
      } else {
        ++stats_.overflowed;
        frame.wire.dropped = true;
      }
    } else {
      frame.wire.dropped = !send_to(to, frame.bytes);
      if (!frame.wire.dropped) frame.wire.delivered_ns = time_ns;  // written to the other cable at once
      if (tcp && !frame.wire.dropped)
        set_view(frame.wire.kernel, to, received_state(to, receiver_side(packet)), diag_[static_cast<int>(to)]);
    }
    if (tcp && frame.wire.dropped) set_view(frame.wire.kernel, to, settled_state(to, receiver_side(packet), time_ns), diag_[static_cast<int>(to)]);
    capture_.on_frame(frame);
  }
  return true;
}

void Wire::set_faults(FaultOptions faults) {
  plan_ = FaultPlan(std::move(faults));
  delay_ns_ = static_cast<std::int64_t>(plan_.options().delay_ms) * 1'000'000;
}

std::optional<std::int64_t> Wire::next_due() const {
  if (held_count_ == 0) return std::nullopt;
  return held_[held_first_].due_ns;
}

void Wire::deliver_due(std::int64_t now_ns) {
  // Due times only grow along the ring: frames are held in the order they arrive, all with the same delay.
  while (held_count_ > 0 && held_[held_first_].due_ns <= now_ns) {
    // Whatever the receiver sent before this frame reaches it is taken first, so that the timeline has it in
    // the order the receiver's kernel lived it. (With frames held, carrying only holds: nothing is delivered here.)
    if (cable_has_frame(held_[held_first_].to)) carry_all();
    const HeldFrame& held = held_[held_first_];
    const bool delivered = send_to(held.to, held.bytes);  // already captured as sent; a failure here is only counted
    if (held.tcp) {
      lab::decode::KernelView view;
      // Read at once: the receiver's answer to this frame may already be on its cable, and that is no reason to doubt.
      if (delivered) set_view(view, held.to, received_state(held.to, held.receiver), diag_[static_cast<int>(held.to)]);
      // When it was handed over: with --delay when due, or as soon after as the lab's loop came to it.
      capture_.on_delivered(held.id, realtime_now_ns(), view);
    }
    held_first_ = (held_first_ + 1) % max_held;
    --held_count_;
  }
}

void Wire::hold(Host to, std::int64_t due_ns, std::uint64_t id, const ConnectionId* receiver,
                std::span<const std::uint8_t> frame) {
  // Due times must grow along the ring (deliver_due stops at the first not due): after lab net set shortened the
  // delay, a new frame waits for the ones held before it, as it would in a real queue.
  if (held_count_ > 0) due_ns = std::max(due_ns, held_[(held_first_ + held_count_ - 1) % max_held].due_ns);
  HeldFrame& slot = held_[(held_first_ + held_count_) % max_held];
  slot.due_ns = due_ns;
  slot.to = to;
  slot.id = id;
  slot.tcp = receiver != nullptr;
  slot.receiver = receiver ? *receiver : ConnectionId{};
  slot.bytes.assign(frame.begin(), frame.end());  // reuses the slot's capacity after its first frame
  ++held_count_;
}

bool Wire::cable_has_frame(Host host) { return receive(host, true).has_value(); }

lab::decode::KernelTcpState Wire::settled_state(Host host, const ConnectionId& connection, std::int64_t since_ns) {
  using lab::decode::KernelTcpState;
  const KernelTcpState state = diag_[static_cast<int>(host)].state_of(connection);
  // Read first, then look: a frame the host sent before the reading is on its cable by now.
  if (cable_has_frame(host) || last_close_ns_[static_cast<int>(host)] > since_ns) return KernelTcpState::not_read;
  return closed_since(host, state) ? KernelTcpState::not_read : state;
}

// A program's close() moves its socket to FIN-WAIT-1 or LAST-ACK (nothing else does) before its FIN reaches the cable,
// and a program the lab did not start (lab net) reports no close: a reading in one of those states is the one asked
// for only if the host sends nothing for a moment more (1 ms, in 100 µs steps: far longer than a FIN takes).
bool Wire::closed_since(Host host, lab::decode::KernelTcpState state) {
  using lab::decode::KernelTcpState;
  if (state != KernelTcpState::fin_wait1 && state != KernelTcpState::last_ack) return false;
  for (int step = 0; step < 10; ++step) {
    timespec pause{0, 100'000};
    nanosleep(&pause, nullptr);
    if (cable_has_frame(host)) return true;
  }
  return false;
}

lab::decode::KernelTcpState Wire::received_state(Host host, const ConnectionId& connection) {
  const lab::decode::KernelTcpState state = diag_[static_cast<int>(host)].state_of(connection);
  return closed_since(host, state) ? lab::decode::KernelTcpState::not_read : state;
}

bool Wire::send_to(Host to, std::span<const std::uint8_t> frame) {
  for (;;) {
    if (send(hosts_.cable(to), frame.data(), frame.size(), MSG_DONTWAIT) >= 0) {
      ++stats_.delivered;
      return true;
    }
    if (errno != EINTR) break;
  }
  // EAGAIN or ENOBUFS: the receiving side's queue is full. The lab never waits for room: like a real wire,
  // it loses the frame, and TCP recovers as it would from any loss. Other errors (the host is gone) too.
  ++stats_.send_failed;
  return false;
}

// Why the sending kernel sent this segment: which of its counters grew since its previous TCP frame. The kernel
// counts a retransmission as it sends it, so the counter has grown by the time the frame reaches the cable.
SendTrigger Wire::trigger_for(Host from, const lab::decode::DecodedPacket& packet) {
  TcpCounters& last = last_counters_[static_cast<int>(from)];
  const TcpCounters now = read_tcp_counters(hosts_.netstat(from));
  SendTrigger trigger = SendTrigger::unknown;
  if (now.loss_probes > last.loss_probes)
    trigger = SendTrigger::tail_loss_probe;
  else if (now.timeouts > last.timeouts)  // a SYN's or SYN-ACK's timer counts here too (tcp_syn_ack_timeout)
    trigger = SendTrigger::timeout;
  else if (now.syn_retrans > last.syn_retrans)  // a SYN-ACK sent again with no timer: for a repeated SYN
    trigger = SendTrigger::repeated_syn;
  else if (now.fast_retrans > last.fast_retrans)
    trigger = SendTrigger::fast_retransmit;
  else if (now.delayed_acks > last.delayed_acks && packet.payload_len == 0 &&
           !packet.tcp->has(lab::decode::tcp_flag::syn) && !packet.tcp->has(lab::decode::tcp_flag::fin) &&
           !packet.tcp->has(lab::decode::tcp_flag::rst))
    trigger = SendTrigger::delayed_ack;  // only a bare ACK can be the one the timer sent
  last = now;
  return trigger;
}

}  // namespace lab::labs
