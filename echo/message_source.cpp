#include "echo/message_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <asio/read_until.hpp>
#include <istream>

#include "echo/asio_compat.hpp"

namespace lab::echo {

MessageSource::MessageSource(const asio::any_io_executor& executor, const ClientOptions& options) {
  if (options.lines_fd < 0) {
    list_ = &options.messages;
    return;
  }
  // A duplicate, because the descriptor object closes what it holds. A terminal, a pipe or a regular file all
  // work: Asio reads a file that epoll cannot watch as always ready, which for a regular file it is.
  const int fd = fcntl(options.lines_fd, F_DUPFD_CLOEXEC, 0);
  if (fd >= 0) input_.emplace(executor, fd);
}

asio::awaitable<std::optional<std::string>> MessageSource::next() {
  if (list_ != nullptr) {
    if (taken_ >= list_->size()) co_return std::nullopt;
    co_return (*list_)[taken_++];
  }
  if (!input_) co_return std::nullopt;
  for (;;) {
    // read_until stops at a newline, or with "not found" once max_line bytes wait without one.
    auto [error, n] = co_await asio::async_read_until(*input_, buffer_, '\n', use_nothrow_awaitable);
    std::size_t take = n;
    if (error == asio::error::not_found || (error && buffer_.size() > 0)) take = buffer_.size();  // a long line, or
    else if (error) co_return std::nullopt;                                                      // the last, unended
    std::string line(asio::buffers_begin(buffer_.data()), asio::buffers_begin(buffer_.data()) +
                                                              static_cast<std::ptrdiff_t>(take));
    buffer_.consume(take);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (!line.empty() && line.back() == '\r') line.pop_back();  // typed on a terminal that sends CR LF
    if (line.empty()) continue;
    ++taken_;
    co_return line;
  }
}

}  // namespace lab::echo
