// Live capture inside a private network namespace, in a forked child (entering a namespace cannot be undone,
// and the test process stays single-threaded for unshare). Also: the permission error outside one.
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <cstring>

#include "capture/pcap/live_capture.hpp"
#include "capture/pcap/pcap_error.hpp"
#include "labs/net/netns.hpp"
#include "tests/pcap/pcap_test_support.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::pcap::CaptureError;
using lab::pcap::CaptureErrorKind;
using lab::pcap::LiveCapture;
using namespace lab::pcap::test;

namespace {

lab::pcap::LiveCaptureOptions options_for(const std::string& interface, const std::string& filter = "") {
  lab::pcap::LiveCaptureOptions options;
  options.interface = interface;
  options.filter = filter;
  return options;
}

constexpr int exit_ok = 0;
constexpr int exit_netns_refused = 77;  // enter_private_network() threw: the message says why
constexpr uid_t nobody = 65534;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

long read_number(const char* path, const std::string& field = "") {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (field.empty()) return std::strtol(line.c_str(), nullptr, 10);
    if (line.starts_with(field + ":")) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

// Whether this machine's policy forbids unprivileged user namespaces (then the unprivileged path is skipped).
bool user_namespaces_forbidden_here() {
  return read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1 ||
         read_number("/proc/sys/user/max_user_namespaces") == 0 ||
         read_number("/proc/sys/kernel/unprivileged_userns_clone") == 0 ||
         read_number("/proc/self/status", "Seccomp") == 2;  // a container's seccomp profile
}

// In the child: become nobody. Changing uid makes the process non-dumpable, which hands /proc/self to root;
// exec would undo that, here we do it by hand so the child can write its own uid_map.
bool become_nobody(std::string& message) {
  if (setgroups(0, nullptr) != 0 || setgid(nobody) != 0 || setuid(nobody) != 0) {
    message = std::string("cannot become nobody: ") + std::strerror(errno);
    return false;
  }
  prctl(PR_SET_DUMPABLE, 1);
  return true;
}

// In the child: private namespace, capture on its lo, one UDP datagram to 127.0.0.1:5005, exactly that
// datagram seen with an Ethernet header and a current timestamp.
int capture_one_datagram(std::string& message) {
  try {
    lab::labs::enter_private_network();
  } catch (const lab::labs::NetnsError& e) {
    message = e.what();
    return exit_netns_refused;
  }
  LiveCapture capture(options_for("lo", "udp port 5005"));
  if (capture.link_type() != lab::decode::link_type::ethernet) {
    message = "link type " + std::to_string(capture.link_type()) + ", expected 1 (Ethernet)";
    return 1;
  }

  const std::string payload = "hello from the lab";
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(5005);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::int64_t sent_at = now_ns();
  if (sendto(sock, payload.data(), payload.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
    message = std::string("sendto: ") + std::strerror(errno);
    return 2;
  }
  close(sock);

  // Wait for the fd at most 2 s in all; dispatch whatever is there each time it is readable.
  CollectingSink sink;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (sink.frames.empty() && std::chrono::steady_clock::now() < deadline) {
    pollfd readable{capture.selectable_fd(), POLLIN, 0};
    using std::chrono::duration_cast, std::chrono::milliseconds, std::chrono::steady_clock;
    const auto left = duration_cast<milliseconds>(deadline - steady_clock::now());
    if (poll(&readable, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0))) < 0) break;
    capture.dispatch(sink);
  }
  // Nothing listens on 5005, so the kernel answers with an ICMP "port unreachable": the filter must keep it out.
  pollfd readable{capture.selectable_fd(), POLLIN, 0};
  if (poll(&readable, 1, 200) > 0) capture.dispatch(sink);
  const std::int64_t done_at = now_ns();
  if (sink.frames.size() != 1) {
    message = std::to_string(sink.frames.size()) + " frames captured, expected 1";
    return 3;
  }

  const auto& frame = sink.frames[0];
  const std::size_t expected_len = 14 + 20 + 8 + payload.size();  // Ethernet + IPv4 + UDP + payload
  const auto tail_len = static_cast<std::ptrdiff_t>(std::min(payload.size(), frame.bytes.size()));
  const std::string tail(frame.bytes.end() - tail_len, frame.bytes.end());
  if (frame.link_type != 1 || frame.wire_len != expected_len || frame.bytes.size() != expected_len ||
      tail != payload) {
    message = "unexpected frame: link type " + std::to_string(frame.link_type) + ", wire_len " +
              std::to_string(frame.wire_len) + ", captured " + std::to_string(frame.bytes.size());
    return 4;
  }
  // The kernel stamps the packet between our send and the dispatch (100 ms of slack for clock steps).
  if (frame.time_ns < sent_at - 100'000'000 || frame.time_ns > done_at + 100'000'000) {
    message = "timestamp " + std::to_string(frame.time_ns) + " not between " + std::to_string(sent_at) + " and " +
              std::to_string(done_at);
    return 5;
  }
  if (capture.stats().received < 1) {
    message = "pcap_stats counted no packet";
    return 6;
  }
  message = "captured " + std::to_string(frame.wire_len) + " bytes at " + std::to_string(frame.time_ns);
  return exit_ok;
}

void check_live_capture(bool as_nobody) {
  const auto result = run_in_child(
      [&](std::string& message) {
        if (as_nobody && !become_nobody(message)) return 10;
        return capture_one_datagram(message);
      },
      std::chrono::seconds(15));
  INFO("child said: " << result.output);
  REQUIRE_FALSE(result.timed_out);
  if (result.exit_code == exit_netns_refused && user_namespaces_forbidden_here()) {
    LAB_SKIP("this machine forbids unprivileged user namespaces; live capture not checked: " << result.output);
  }
  CHECK(result.exit_code == exit_ok);
}

}  // namespace

TEST_CASE("live capture on the loopback of a private namespace, as the current user", "[pcap][live][netns]") {
  check_live_capture(false);
}

TEST_CASE("live capture in a private namespace as an unprivileged user (nobody)", "[pcap][live][netns]") {
  if (geteuid() != 0) {
    LAB_SKIP("not root: the current-user test already took the unprivileged path");
  }
  check_live_capture(true);
}

TEST_CASE("without a namespace, an unprivileged user gets the permission error that says what to do",
          "[pcap][live]") {
  const bool root = geteuid() == 0;
  if (!root && (read_number("/proc/self/status", "CapEff") != 0)) {
    // CapEff is hex; any capability bit set might include CAP_NET_RAW: the user may well be able to capture.
    LAB_SKIP("this user holds capabilities: the permission error cannot be provoked");
  }
  const auto result = run_in_child(
      [&](std::string& message) {
        if (root && !become_nobody(message)) return 10;
        try {
          LiveCapture capture(options_for("lo"));
          message = "LiveCapture on the host's lo succeeded as an unprivileged user";
          return 1;
        } catch (const CaptureError& e) {
          message = e.what();
          return e.kind() == CaptureErrorKind::permission ? 0 : 2;
        }
      },
      std::chrono::seconds(10));
  INFO("child said: " << result.output);
  REQUIRE_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  CHECK(result.output ==
        "cannot capture on lo: permission denied — run as root (sudo), give lab the capture capabilities (sudo "
        "setcap cap_net_raw,cap_net_admin=eip $(command -v lab)), or let lab run in its own private namespace "
        "(the default)");
}

TEST_CASE("an interface that does not exist is named, with the ones that do", "[pcap][live]") {
  const auto result = run_in_child(
      [&](std::string& message) {
        try {
          LiveCapture capture(options_for("nosuch0"));
        } catch (const CaptureError& e) {
          message = e.what();
          // As an unprivileged user libpcap may report the permission problem first.
          return e.kind() == CaptureErrorKind::no_such_device || e.kind() == CaptureErrorKind::permission ? 0 : 2;
        }
        message = "no error";
        return 1;
      },
      std::chrono::seconds(10));
  INFO("child said: " << result.output);
  REQUIRE_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  if (geteuid() == 0) {
    CHECK(has(result.output, "cannot capture on nosuch0: no such interface — the interfaces here are: "));
    CHECK(has(result.output, "lo"));
    CHECK(has(result.output, "(or \"any\" for all of them)"));
    CHECK_FALSE(has(result.output, "nflog"));  // a pcap pseudo-device, not an interface
  }
}

// The kernel gives no user namespace to a chrooted process; the error must name the chroot, not blame the kernel.
TEST_CASE("in a chroot, the namespace error names the chroot", "[pcap][netns]") {
  if (geteuid() != 0) LAB_SKIP("not root: a chroot cannot be made to test the message");
  char pattern[] = "/tmp/lab-chroot-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  const std::string dir = pattern;
  chmod(dir.c_str(), 0755);  // nobody must be able to walk from its new root into /proc
  const auto result = run_in_child(
      [&](std::string& message) {
        // A mount namespace of the child's own, so the /proc mounted for the chroot vanishes with it.
        if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            mkdir((dir + "/proc").c_str(), 0755) != 0 ||
            mount("proc", (dir + "/proc").c_str(), "proc", 0, nullptr) != 0 || chroot(dir.c_str()) != 0 ||
            chdir("/") != 0) {
          message = std::string("cannot set up the chroot: ") + std::strerror(errno);
          return 10;
        }
        if (!become_nobody(message)) return 10;
        try {
          lab::labs::enter_private_network();
          message = "a user namespace was created inside a chroot";
          return 1;
        } catch (const lab::labs::NetnsError& e) {
          message = e.what();
          return 0;
        }
      },
      std::chrono::seconds(10));
  rmdir((dir + "/proc").c_str());
  rmdir(dir.c_str());
  INFO("child said: " << result.output);
  REQUIRE_FALSE(result.timed_out);
  CHECK(result.exit_code == 0);
  CHECK(has(result.output, "this process runs in a chroot"));
  CHECK(has(result.output, "pivot_root"));
}
