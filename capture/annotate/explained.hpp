#pragma once
// What a run has explained in full already. A class reads a concept once, in full, where it first happens; after
// that a short mention points back to that packet ("TIME-WAIT, as at #10") instead of repeating the paragraph.
#include <array>
#include <cstddef>
#include <cstdint>

namespace lab::annotate {

enum class Topic : std::uint8_t {
  state_syn_sent, state_syn_received, state_established, state_fin_wait_1, state_fin_wait_2, state_close_wait,
  state_closing, state_last_ack, state_time_wait, state_closed,
  push, timeout, tail_loss_probe, fast_retransmit, delayed_ack, zero_window, zero_window_probe, cumulative_ack,
  wire_order, window_full,
  arp_request, arp_reply, arp_gratuitous, arp_probe,
  http_reassembled, http_content_length, http_chunked, http_reuse, http_pipelining, http_persistent,
  tls_encrypted,
  count
};

class Explained {
 public:
  // The packet where `topic` was explained in full, or 0 if it has not been: then the caller explains it in full
  // now, at `packet`, which is remembered.
  std::uint32_t first(Topic topic, std::uint32_t packet) {
    std::uint32_t& at = first_[static_cast<std::size_t>(topic)];
    if (at != 0 && at != packet) return at;
    at = packet;
    return 0;
  }

 private:
  std::array<std::uint32_t, static_cast<std::size_t>(Topic::count)> first_{};
};

// The packet where `topic` was explained in full before (then say it briefly, pointing there), or 0: say it in full.
inline std::uint32_t explained_at(Explained* explained, Topic topic, std::uint32_t packet) {
  return explained ? explained->first(topic, packet) : 0;
}

}  // namespace lab::annotate
