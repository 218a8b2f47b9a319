#pragma once
// Where a TCP client and server meet to close their connection at the same instant. Each co_awaits
// arrive() when it is ready to close; the first to arrive waits for the other, the second wakes it, and
// both call close() within microseconds of each other. Over a wire that delays packets the two FINs then
// cross: a simultaneous close, each side going FIN-WAIT-1 → CLOSING → TIME-WAIT (RFC 9293 section 3.6).
#include <chrono>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

namespace lab::echo {

// One meeting, of two: ServerOptions::close_together and ClientOptions::close_together share one object.
class CloseTogether {
 public:
  CloseTogether(asio::any_io_executor executor, std::chrono::milliseconds wait_limit);

  // Returns true when both have arrived; false when the other did not come within wait_limit (and, at
  // once, to a latecomer after the other gave up). Never waits longer than wait_limit: no hang.
  asio::awaitable<bool> arrive();

  std::chrono::milliseconds wait_limit() const { return wait_limit_; }

 private:
  enum class State { nobody_yet, one_waiting, met, given_up };

  asio::steady_timer other_arrived_;  // the first to arrive waits on it; the second cancels it
  std::chrono::milliseconds wait_limit_;
  State state_ = State::nobody_yet;
};

}  // namespace lab::echo
