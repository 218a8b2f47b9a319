#include "labs/net/standing_holder.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "labs/net/feed_server.hpp"
#include "labs/net/netns.hpp"
#include "labs/net/wire.hpp"
#include "labs/net/wire_feed.hpp"

namespace lab::labs {

namespace {

std::int64_t realtime_now_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

// The holder ends on SIGTERM, SIGINT or SIGHUP. As pid 1 of its PID namespace it would not even receive a signal
// it left at its default action, so each gets a handler, which wakes the loop through a pipe.
int stop_pipe_write = -1;  // the one global: a signal handler can reach nothing else
void on_stop_signal(int) {
  const char byte = 's';
  [[maybe_unused]] const ssize_t n = write(stop_pipe_write, &byte, 1);
}

// The holder itself, pid 1 of the new PID namespace. Reports "ready C S" or "error MSG" on `report`, then
// carries frames until a stop signal, handing each to whoever watches (feed_path). Never returns.
[[noreturn]] void run_holder(const StandingOptions& options, const std::string& feed_path, int report) {
  // Nothing of the terminal: a caller that reads lab net up's output must see it end when lab net up does.
  const int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }
  [[maybe_unused]] const int ignored = chdir("/");  // holds no directory busy

  int stop_pipe[2];
  if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    write_all(report, std::string("error lab net: pipe(): ") + std::strerror(errno) + "\n");
    _exit(1);
  }
  stop_pipe_write = stop_pipe[1];
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaction(s, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    TwoHosts hosts = TwoHosts::create(options.hosts);
    Wire* wire_of_feed = nullptr;  // the wire sends to the feed, and the feed's setters change the wire
    FeedServer feed(feed_path, [&wire_of_feed](std::span<const std::uint8_t> bytes) -> std::string {
      auto request = decode_fault_request(bytes);
      if (!request) return "error: the request is not one lab net set sends";
      wire_of_feed->set_faults(std::move(request->faults));
      return "ok";
    });
    Wire wire(hosts, options.faults, feed);
    wire_of_feed = &wire;
    write_all(report, "ready " + std::to_string(hosts.namespace_fd(Host::client)) + " " +
                          std::to_string(hosts.namespace_fd(Host::server)) + "\n");
    close(report);

    std::vector<pollfd> fds;
    fds.reserve(3 + 1 + FeedServer::max_peers);
    for (;;) {
      fds.assign({{hosts.cable(Host::client), POLLIN, 0}, {hosts.cable(Host::server), POLLIN, 0},
                  {stop_pipe[0], POLLIN, 0}});
      feed.add_poll_fds(fds);
      int timeout_ms = -1;
      if (const auto due = wire.next_due()) {
        const std::int64_t wait_ns = std::max<std::int64_t>(0, *due - realtime_now_ns());
        timeout_ms = static_cast<int>(std::min<std::int64_t>((wait_ns + 999'999) / 1'000'000, 60'000));
      }
      const int ready = poll(fds.data(), fds.size(), timeout_ms);
      if (ready < 0 && errno != EINTR) break;
      if (fds[2].revents != 0) break;
      wire.carry_all();
      wire.deliver_due(realtime_now_ns());
      if (ready > 0) feed.handle(std::span<const pollfd>(fds).subspan(3));
      // Programs started on the hosts whose parent ended are ours now (we are their PID namespace's init).
      while (waitpid(-1, nullptr, WNOHANG) > 0) {
      }
    }
  } catch (const std::exception& e) {
    write_all(report, std::string("error ") + e.what() + "\n");
    _exit(1);
  }
  _exit(0);  // the kernel ends every process of the PID namespace, then frees the namespaces
}

bool lock_released(const std::string& lock_path) {
  const int lock = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return true;
  const bool free = flock(lock, LOCK_SH | LOCK_NB) == 0;
  close(lock);
  return free;
}

}  // namespace

StandingState start_standing_network(const StandingOptions& options) {
  if (const std::string problem = options.hosts.problem(); !problem.empty())
    throw NetnsError("net up: " + problem);
  const std::string lock_path = standing_lock_path();
  const int lock = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) throw NetnsError("net up: cannot open " + lock_path + ": " + std::strerror(errno));
  if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
    close(lock);
    const auto running = running_network();
    throw NetnsError("net up: a classroom network is already running for this user" +
                     (running ? " (holder pid " + std::to_string(running->holder) + ")" : std::string()) +
                     "; lab net status shows it, lab net down ends it");
  }
  const std::string feed_path = standing_feed_path();
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) throw NetnsError(std::string("net up: pipe(): ") + std::strerror(errno));

  // Two forks: the first child leaves our session and makes the namespaces; its own child is the holder, pid 1
  // of the new PID namespace. The lock's open file is shared by all three: it stays held while the holder lives.
  const pid_t first = fork();
  if (first < 0) throw NetnsError(std::string("net up: fork(): ") + std::strerror(errno));
  if (first == 0) {
    close(report[0]);
    setsid();
    try {
      enter_private_network(/*own_pids=*/true);
    } catch (const std::exception& e) {
      write_all(report[1], std::string("error ") + e.what() + "\n");
      _exit(1);
    }
    const pid_t holder = fork();
    if (holder < 0) {
      write_all(report[1], std::string("error lab net up: fork(): ") + std::strerror(errno) + "\n");
      _exit(1);
    }
    if (holder == 0) run_holder(options, feed_path, report[1]);
    write_all(report[1], "pid " + std::to_string(holder) + "\n");
    _exit(0);
  }
  close(report[1]);
  std::string answer;
  char buffer[512];
  for (;;) {  // until both children have closed their end: the holder does once it is ready or has failed
    const ssize_t n = read(report[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buffer, static_cast<std::size_t>(n));
  }
  close(report[0]);
  waitpid(first, nullptr, 0);

  StandingState state;
  std::string error = "net up: the background process ended before the hosts were up";
  bool ready = false;
  std::size_t start = 0;
  while (start < answer.size()) {
    const auto end = answer.find('\n', start);
    const std::string line = answer.substr(start, end - start);
    start = end == std::string::npos ? answer.size() : end + 1;
    if (line.starts_with("pid ")) state.holder = static_cast<pid_t>(std::atol(line.c_str() + 4));
    if (line.starts_with("error ")) error = line.substr(6);
    if (line.starts_with("ready ") && std::sscanf(line.c_str(), "ready %d %d", &state.client_ns_fd,
                                                  &state.server_ns_fd) == 2)
      ready = true;
  }
  if (!ready || state.holder <= 0) {
    close(lock);
    throw NetnsError(error);
  }
  state.holder_start = process_start_time(state.holder);
  const HostsConfig& config = options.hosts;
  state.client_ip = config.client_ip;
  state.server_ip = config.server_ip;
  state.prefix = config.prefix;
  state.mtu = config.mtu == 0 ? 1500 : config.mtu;
  state.faults = options.faults_text;

  const int error_number = write_state_file(state);
  close(lock);  // the holder keeps it held
  if (error_number != 0) {
    stop_standing_network(state);
    throw NetnsError("net up: cannot write " + standing_state_path() + ": " + std::strerror(error_number));
  }
  return state;
}

bool stop_standing_network(const StandingState& state) {
  using namespace std::chrono_literals;
  const std::string lock_path = standing_lock_path();
  // The lock is let go as the holder starts to exit; the kernel then ends every process of its PID namespace and
  // only after the last one has the holder ended (a zombie, or gone). Done means both.
  const auto done = [&] { return lock_released(lock_path) && process_start_time(state.holder) != state.holder_start; };
  const auto ended_within = [&](std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return done();
  };
  bool ended = done();
  // Only the process the state file names, and only while it is that one (its start time), gets a signal.
  if (!ended && process_start_time(state.holder) == state.holder_start) {
    kill(state.holder, SIGTERM);
    ended = ended_within(5000ms);
    if (!ended && process_start_time(state.holder) == state.holder_start) {
      kill(state.holder, SIGKILL);
      ended = ended_within(2000ms);
    }
  }
  if (ended) {
    unlink(standing_state_path().c_str());
    unlink(standing_feed_path().c_str());  // the holder removes it, unless it was killed
  }
  return ended;
}

}  // namespace lab::labs
