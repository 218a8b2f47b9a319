#include "tests/e2e/run_lab.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace lab::test {

std::string lab_binary() {
  const char* path = std::getenv("LAB_BINARY");
  if (!path || !*path) throw std::runtime_error("LAB_BINARY is not set: run the tests through ctest");
  return path;
}

LabRun run_program(const std::vector<std::string>& args, int timeout_ms, bool as_nobody) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (as_nobody && (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) _exit(126);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  LabRun run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  bool killed = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buffer[65536];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? run.out : run.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  run.exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

namespace {

// A copy of the lab binary that uid 65534 can reach. The build tree may sit in a home folder that only its owner
// may enter (Debian 13 makes new homes 0700, and /root is 0700 everywhere), so the unprivileged run gets its own
// copy in a world-readable folder, made once per test process and removed at its end.
class ReachableCopy {
 public:
  explicit ReachableCopy(const std::string& binary) {
    namespace fs = std::filesystem;
    char pattern[] = "/tmp/lab-nobody-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    path_ = dir_ + "/lab";
    fs::copy_file(binary, path_);
    fs::permissions(path_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
  }
  ~ReachableCopy() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

}  // namespace

const std::string& reachable_lab_binary() {
  static const ReachableCopy copy(lab_binary());
  return copy.path();
}

LabRun run_lab(const std::vector<std::string>& args, bool as_nobody) {
  std::vector<std::string> argv{as_nobody ? reachable_lab_binary() : lab_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, 20000, as_nobody);
}

TempDir::TempDir() {
  char pattern[] = "/tmp/lab-test-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  std::filesystem::permissions(path_, std::filesystem::perms::all);  // writable by an unprivileged run too
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace lab::test
