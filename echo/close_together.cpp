#include "echo/close_together.hpp"

#include <asio/io_context.hpp>

#include "echo/asio_compat.hpp"
#include "echo/echo.hpp"

namespace lab::echo {

CloseTogether::CloseTogether(asio::any_io_executor executor, std::chrono::milliseconds wait_limit)
    : other_arrived_(std::move(executor)), wait_limit_(wait_limit) {}

asio::awaitable<bool> CloseTogether::arrive() {
  switch (state_) {
    case State::nobody_yet:
      state_ = State::one_waiting;
      other_arrived_.expires_after(wait_limit_);
      co_await other_arrived_.async_wait(use_nothrow_awaitable);  // ends early when the other cancels it
      // The state, not the timer's error, says what happened: the other may arrive after the timer rang
      // but before this coroutine resumed.
      if (state_ == State::met) co_return true;
      state_ = State::given_up;
      co_return false;
    case State::one_waiting:
      state_ = State::met;
      other_arrived_.cancel();  // wakes the first: it resumes as soon as this side gives the event loop back
      co_return true;
    case State::met:
    case State::given_up:
      break;
  }
  co_return false;
}

std::shared_ptr<CloseTogether> make_close_together(asio::io_context& io, std::chrono::milliseconds wait_limit) {
  return std::make_shared<CloseTogether>(io.get_executor(), wait_limit);
}

}  // namespace lab::echo
