#pragma once
// Helpers for the pcap tests: a temporary directory, crafted frames and files, and child processes run with a
// bounded wait (live captures run in a forked child that enters its own network namespace).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/pcap/frame_sink.hpp"

namespace lab::pcap::test {

// A fresh directory under $TMPDIR, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lab-pcap-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An Ethernet + IPv4 + UDP frame 127.0.0.1:src_port -> 127.0.0.1:dst_port carrying `payload`
// (checksums left 0: readers print it, nobody verifies it).
inline std::vector<std::uint8_t> udp_frame(std::uint16_t src_port, std::uint16_t dst_port, const std::string& payload) {
  const auto ip_len = static_cast<std::uint16_t>(20 + 8 + payload.size());
  const auto udp_len = static_cast<std::uint16_t>(8 + payload.size());
  auto hi = [](std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); };
  auto lo = [](std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xff); };
  std::vector<std::uint8_t> frame = {
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // Ethernet dst (lo: all zero)
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // Ethernet src
      0x08, 0x00,                          // EtherType IPv4
      0x45, 0x00,                          // version 4, IHL 5; DSCP/ECN 0
      hi(ip_len), lo(ip_len),              // total length
      0x12, 0x34,                          // identification
      0x40, 0x00,                          // flags DF, fragment offset 0
      0x40, 0x11,                          // TTL 64, protocol 17 (UDP)
      0x00, 0x00,                          // header checksum (not computed)
      127, 0, 0, 1,                        // src address
      127, 0, 0, 1,                        // dst address
      hi(src_port), lo(src_port),          // UDP src port
      hi(dst_port), lo(dst_port),          // UDP dst port
      hi(udp_len), lo(udp_len),            // UDP length
      0x00, 0x00,                          // UDP checksum 0: not computed
  };
  for (const char c : payload) frame.push_back(static_cast<std::uint8_t>(c));
  return frame;
}

// A frame copied out of the adapter (its bytes are valid only during on_frame).
struct StoredFrame {
  std::int64_t time_ns = 0;
  std::uint32_t link_type = 0;
  std::uint32_t wire_len = 0;
  std::vector<std::uint8_t> bytes;
};

class CollectingSink : public FrameSink {
 public:
  void on_frame(const lab::decode::Frame& frame) override {
    frames.push_back({frame.time_ns, frame.link_type, frame.wire_len, {frame.bytes.begin(), frame.bytes.end()}});
  }
  std::vector<StoredFrame> frames;
};

inline std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ChildResult {
  bool timed_out = false;
  int exit_code = -1;   // the child's exit status, or -1 when killed by a signal
  std::string output;   // what the child wrote to its stdout
};

// Runs `body` in a forked child whose stdout goes to a pipe the parent reads; the child exits with body's
// return value after printing the message it filled in. The wait is bounded: past `timeout` the child is killed.
inline ChildResult run_in_child(const std::function<int(std::string& message)>& body,
                                std::chrono::milliseconds timeout) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::fflush(nullptr);  // or the child would print the parent's buffered output again
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);  // dup2 clears FD_CLOEXEC: a program exec'd by body inherits it
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::string message;
    int code = 99;
    try {
      code = body(message);
    } catch (const std::exception& e) {
      message = std::string("unexpected exception: ") + e.what();
    } catch (...) {
      message = "unexpected exception";
    }
    if (!message.empty() && write(STDOUT_FILENO, message.data(), message.size()) < 0) code = 98;
    _exit(code);  // not exit(): the child must not run the parent's (Catch2's) atexit handlers
  }
  close(pipe_fds[1]);
  ChildResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto remaining_ms = [&] {
    using std::chrono::duration_cast, std::chrono::milliseconds, std::chrono::steady_clock;
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    return static_cast<int>(std::max<std::int64_t>(left.count(), 0));
  };
  // Read until the child closes its end (it exits) or the time is up.
  for (;;) {
    pollfd readable{pipe_fds[0], POLLIN, 0};
    if (poll(&readable, 1, remaining_ms()) <= 0) break;
    char buffer[4096];
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    result.output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (remaining_ms() == 0) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);  // SIGKILL cannot be ignored: this returns at once
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

// Runs a program (searched in PATH) with a bounded wait; its stdout is captured, its stderr discarded.
// exit_code 127: the program could not be started.
inline ChildResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  return run_in_child(
      [&](std::string&) {
        const int null_fd = open("/dev/null", O_WRONLY);
        dup2(null_fd, STDERR_FILENO);
        std::vector<char*> args;
        for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        return 127;
      },
      timeout);
}

inline bool program_exists(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    if (access((dirs.substr(start, end - start) + "/" + name).c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace lab::pcap::test
