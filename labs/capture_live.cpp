// Live capture around any program. One thread: poll() on the capture's descriptor with a short timeout, so
// that Ctrl-C, the limits and the command's exit are noticed promptly.
#include "labs/capture_live.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/live_capture.hpp"
#include "capture/pcap/pcap_error.hpp"
#include "capture/timeline/explainer.hpp"
#include "labs/net/netns.hpp"
#include "labs/renderer_choice.hpp"
#include "labs/terminal.hpp"

namespace lab::labs {
namespace {

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

// Ctrl-C (SIGINT) and SIGTERM end the capture cleanly: poll() returns early, the summary is printed.
void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll() must wake up
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// Every frame goes to the --write file (if any) and to the explainer; counts them for --count.
class Sink : public lab::pcap::FrameSink {
 public:
  Sink(lab::timeline::Explainer& explainer, lab::pcap::FileWriter* writer) : explainer_(explainer), writer_(writer) {}
  void on_frame(const lab::decode::Frame& frame) override {
    if (limit_ != 0 && count_ >= limit_) return;  // a batch may hold more than the limit
    if (writer_) writer_->on_frame(frame);
    explainer_.packet(frame);
    ++count_;
  }
  void set_limit(std::uint64_t limit) { limit_ = limit; }
  bool full() const { return limit_ != 0 && count_ >= limit_; }

 private:
  lab::timeline::Explainer& explainer_;
  lab::pcap::FileWriter* writer_;
  std::uint64_t count_ = 0;
  std::uint64_t limit_ = 0;
};

int print_interfaces() {
  int n = 0;
  for (const auto& i : lab::pcap::list_interfaces()) {
    std::string line = fmt::format("{}. {}", ++n, i.name);
    if (!i.description.empty()) line += " (" + i.description + ")";
    if (i.loopback) line += " [loopback]";
    if (!i.up) line += " [down]";
    line += '\n';
    write_stdout(line);
  }
  return 0;
}

// Starts the command in the (already private) namespace; its output goes to the same terminal.
pid_t start_command(const std::vector<std::string>& command) {
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start the command: ") + std::strerror(errno));
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    std::vector<char*> argv;
    for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    std::fprintf(stderr, "lab: cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  return pid;
}

}  // namespace

int run_capture(const CaptureOptions& options) {
  if (options.list_interfaces) return print_interfaces();
  const bool around_command = !options.command.empty();
  if (around_command) enter_private_network();  // before any thread, before the capture

  lab::pcap::LiveCaptureOptions capture_options;
  capture_options.interface = around_command ? "lo" : options.interface;
  capture_options.filter = options.filter;
  std::unique_ptr<lab::pcap::LiveCapture> capture;
  try {
    capture = std::make_unique<lab::pcap::LiveCapture>(capture_options);
  } catch (const lab::pcap::CaptureError& e) {
    if (e.kind() != lab::pcap::CaptureErrorKind::permission) throw;
    throw lab::pcap::CaptureError(
        e.kind(), fmt::format("cannot capture on {}: permission denied — run lab with sudo, give it the capture "
                              "capabilities (sudo setcap cap_net_raw,cap_net_admin=eip $(command -v lab)), or let lab "
                              "start the programs in its private namespace, where no rights are needed: "
                              "lab capture -- python3 your_server.py",
                              capture_options.interface));
  }
  std::unique_ptr<lab::pcap::FileWriter> writer;
  if (!options.write_path.empty())
    writer = std::make_unique<lab::pcap::FileWriter>(options.write_path, capture->link_type(), capture->snap_length());

  const auto renderer = make_multi_conversation_renderer(options);
  lab::timeline::Explainer explainer(*renderer, {options.absolute, options.wireshark_rules}, write_stdout);
  Sink sink(explainer, writer.get());
  sink.set_limit(options.max_packets);

  catch_interrupts();
  const pid_t child = around_command ? start_command(options.command) : -1;
  int child_status = 0;
  bool child_done = !around_command;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };

  pollfd watch{capture->selectable_fd(), POLLIN, 0};
  while (!interrupted && !sink.full()) {
    if (options.max_seconds > 0 && elapsed() >= options.max_seconds) break;
    if (!child_done && waitpid(child, &child_status, WNOHANG) == child) {
      child_done = true;
      capture->dispatch(sink);  // what the command sent before it exited
      break;
    }
    if (poll(&watch, 1, 100) > 0) capture->dispatch(sink);
  }
  capture->dispatch(sink);
  if (around_command && !child_done) {  // stopped by Ctrl-C or a limit: end the command too
    kill(child, SIGTERM);
    waitpid(child, &child_status, 0);
  }
  explainer.finish({}, capture->stats().dropped);
  if (writer) writer->flush();
  if (!around_command) return 0;
  if (WIFEXITED(child_status)) return WEXITSTATUS(child_status);
  return 128 + (WIFSIGNALED(child_status) ? WTERMSIG(child_status) : 0);
}

}  // namespace lab::labs
