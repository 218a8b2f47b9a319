#pragma once
// Small tools for the echo coroutines: bounding a wait with a deadline, and not losing an exception.
#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "echo/asio_compat.hpp"
#include "echo/echo.hpp"

namespace lab::echo {

// `co_await before_deadline(deadline, socket.async_read_some(...))`: the operation's result, or nullopt
// when the deadline passes first (the operation is then cancelled). Without it a lost reply would make
// the program wait forever.
template <class Result>
asio::awaitable<std::optional<Result>> before_deadline(std::chrono::steady_clock::time_point deadline,
                                                      asio::awaitable<Result> operation) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto first_done = co_await (std::move(operation) || timer.async_wait(use_nothrow_awaitable));
  if (first_done.index() == 1) co_return std::nullopt;  // the timer rang first
  co_return std::get<0>(std::move(first_done));
}

// co_spawn's completion handler for a server's coroutines. They report errors as events and never throw;
// should one throw anyway (a bug, or out of memory), the exception leaves io_context::run() in the
// caller instead of disappearing.
inline void rethrow_if_failed(std::exception_ptr failure) {
  if (failure) std::rethrow_exception(failure);
}

// co_spawn's completion handler for a client: hands its result to `done`. An exception (a bug, or out of
// memory) becomes a failed result instead of a lost one, so that `done` runs exactly once either way.
inline auto deliver_result_to(ClientDone done) {
  return [done = std::move(done)](std::exception_ptr failure, ClientResult result) {
    if (failure) {
      result = {.ok = false, .error = "internal error"};
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        result.error += std::string(": ") + e.what();
      } catch (...) {
      }
    }
    if (done) done(result);
  };
}

}  // namespace lab::echo
