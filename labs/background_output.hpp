#pragma once
// The lab's output, written by a thread of its own. The lab's loop carries every frame between the two hosts: if it
// waited for a slow terminal or a full pipe (`lab ... | less`), the hosts' packets would wait on the wire with it,
// and the run would show retransmissions that only the output caused. So the loop hands its text over and goes on.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace lab::labs {

class BackgroundOutput {
 public:
  // `write` runs on the output thread (write_stdout, typically). Start it once the process has entered its
  // namespaces: they are set up while the process has a single thread.
  explicit BackgroundOutput(std::function<void(std::string_view)> write);
  ~BackgroundOutput();  // finishes (errors are dropped here: call finish() to see them)
  BackgroundOutput(const BackgroundOutput&) = delete;
  BackgroundOutput& operator=(const BackgroundOutput&) = delete;

  // Queues a copy of `text`. Waits only when more than max_queued bytes are already waiting.
  void write(std::string_view text);
  // Writes what is queued, stops the thread, and rethrows the first error `write` threw.
  void finish();

  static constexpr std::size_t max_queued = 64 * 1024 * 1024;

 private:
  void run();

  std::function<void(std::string_view)> write_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool done_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace lab::labs
