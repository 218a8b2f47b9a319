#include "labs/background_output.hpp"

#include <utility>

namespace lab::labs {

BackgroundOutput::BackgroundOutput(std::function<void(std::string_view)> write)
    : write_(std::move(write)), thread_([this] { run(); }) {}

BackgroundOutput::~BackgroundOutput() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; finish() was the place to hear of it
  }
}

void BackgroundOutput::write(std::string_view text) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queued_bytes_ < max_queued || error_ || done_; });
  if (error_ || done_) return;  // the output is gone: finish() reports why
  queue_.emplace_back(text);
  queued_bytes_ += text.size();
  changed_.notify_all();
}

void BackgroundOutput::finish() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void BackgroundOutput::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (queue_.empty()) return;  // done, and everything written
    std::string text = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      write_(text);
    } catch (...) {
      lock.lock();
      error_ = std::current_exception();
      queue_.clear();
      queued_bytes_ = 0;
      changed_.notify_all();
      return;
    }
    lock.lock();
    queued_bytes_ -= text.size();
    changed_.notify_all();
  }
}

}  // namespace lab::labs
