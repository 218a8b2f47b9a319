#pragma once
// The standing network's holder side of lab net watch and lab net set: a unix socket in the user's private lab
// directory. A peer says what it is with its first message: a watcher ('W') then receives every frame the wire
// carries (wire_feed.hpp); a setter ('S' + new faults, fault_wire.hpp) gets one reply and is closed.
// A watcher that does not keep up loses messages rather than slowing the wire: each later message says how many.
#include <poll.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "capture/pcap/frame_sink.hpp"

namespace lab::labs {

class FeedServer : public lab::pcap::FrameSink {
 public:
  // What a setter asked for, and the one line to send back ("ok" or the error).
  using SetHandler = std::function<std::string(std::span<const std::uint8_t> request)>;

  // Binds and listens at `path` (a stale socket file there is replaced). Throws NetnsError.
  FeedServer(std::string path, SetHandler on_set);
  ~FeedServer();
  FeedServer(const FeedServer&) = delete;
  FeedServer& operator=(const FeedServer&) = delete;

  // The listener and every peer, to poll for reading; then handle() with poll's results for them.
  void add_poll_fds(std::vector<pollfd>& fds) const;
  void handle(std::span<const pollfd> results);

  void on_frame(const lab::decode::Frame& frame) override;
  void on_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel) override;

  static constexpr std::size_t max_peers = 16;

 private:
  struct Peer {
    int fd = -1;
    bool watching = false;
    std::uint32_t missed = 0;
  };
  void accept_peers();
  void serve(Peer& peer);  // its message, or its end
  void send_to_watchers(bool frame, const lab::decode::Frame* f, std::uint64_t wire_id, std::int64_t delivered_ns,
                        const lab::decode::KernelView* kernel);
  void drop_closed();

  std::string path_;
  SetHandler on_set_;
  int listener_ = -1;
  std::vector<Peer> peers_;
  std::vector<std::uint8_t> message_;  // reused for every message
};

}  // namespace lab::labs
