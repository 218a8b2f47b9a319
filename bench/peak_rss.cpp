// lab_peak_rss: runs a command and reports what it cost, from the kernel's own accounting of the child
// (wait4's rusage), so the benchmark needs neither /usr/bin/time nor any package.
//
//   lab_peak_rss COMMAND [ARGS...]
//
// After the command ends it prints one line on stderr:
//   lab_peak_rss: wall_s=1.234 user_s=1.100 sys_s=0.050 max_rss_kib=12345 status=0
// and exits with the command's status (128 + signal if it was killed).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs("usage: lab_peak_rss COMMAND [ARGS...]\n", stderr);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child < 0) {
    std::fprintf(stderr, "lab_peak_rss: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    execvp(argv[1], argv + 1);
    std::fprintf(stderr, "lab_peak_rss: cannot run %s: %s\n", argv[1], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "lab_peak_rss: wait4: %s\n", std::strerror(errno));
      return 1;
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "lab_peak_rss: wall_s=%.3f user_s=%.3f sys_s=%.3f max_rss_kib=%ld status=%d\n", wall,
               seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_maxrss, code);
  return code;
}
