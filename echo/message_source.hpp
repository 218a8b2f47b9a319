#pragma once
// Where an echo client's messages come from: the list in ClientOptions::messages, or, with
// ClientOptions::lines_fd, the lines a person types (or a pipe or file holds), read as they come, the way the
// classroom scripts read input(). Each line is one message, without its newline; empty lines are skipped
// (an empty TCP send puts nothing on the wire, so its "echo" would never come).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/streambuf.hpp>

#include "echo/echo_options.hpp"

namespace lab::echo {

class MessageSource {
 public:
  // With options.lines_fd >= 0 it reads a duplicate of that descriptor (the caller keeps its own).
  MessageSource(const asio::any_io_executor& executor, const ClientOptions& options);

  // The next message, or nullopt at the end of the list or of the input (or when reading it fails).
  asio::awaitable<std::optional<std::string>> next();

  std::size_t taken() const { return taken_; }  // messages handed out so far

  // A line longer than this is cut into messages of this size: input is not trusted to end its lines.
  static constexpr std::size_t max_line = 65536;

 private:
  const std::vector<std::string>* list_ = nullptr;  // the fixed list, or null when reading lines
  std::optional<asio::posix::stream_descriptor> input_;
  asio::streambuf buffer_{max_line};
  std::size_t taken_ = 0;
};

}  // namespace lab::echo
