#include "labs/net/host_join.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "labs/net/netns.hpp"

namespace lab::labs {

namespace {

std::string proc_path(pid_t pid, const std::string& rest) { return "/proc/" + std::to_string(pid) + "/" + rest; }

int open_or_throw(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw NetnsError("net: cannot open " + path + " (" + std::strerror(errno) +
                     "): is the network still up? lab net status tells");
  return fd;
}

ino_t inode_of(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

void join(int fd, int type, const char* what) {
  const int error = setns(fd, type) == 0 ? 0 : errno;
  close(fd);
  if (error != 0) throw NetnsError(std::string("net: cannot join the holder's ") + what + " namespace (setns: " +
                                   std::strerror(error) + ")");
}

int ns_fd(const StandingState& state, Host host) {
  return host == Host::client ? state.client_ns_fd : state.server_ns_fd;
}

}  // namespace

int run_on_host(const StandingState& state, Host host, const std::vector<std::string>& argv,
                const std::vector<std::string>& environment) {
  if (argv.empty()) throw NetnsError("net: no command to run");
  // Open everything first, then check that the holder is still the process the state file names: a PID reused
  // since would have handed us some other process's namespaces.
  const bool other_user_namespace = inode_of(proc_path(state.holder, "ns/user")) != inode_of("/proc/self/ns/user");
  const int user_fd = other_user_namespace ? open_or_throw(proc_path(state.holder, "ns/user")) : -1;
  const int pid_fd = open_or_throw(proc_path(state.holder, "ns/pid"));
  const int net_fd = open_or_throw(proc_path(state.holder, "fd/" + std::to_string(ns_fd(state, host))));
  if (process_start_time(state.holder) != state.holder_start) {
    for (int fd : {user_fd, pid_fd, net_fd})
      if (fd >= 0) close(fd);
    throw NetnsError("net: the network's holder has ended; lab net up starts a new one");
  }
  if (user_fd >= 0) join(user_fd, CLONE_NEWUSER, "user");
  join(pid_fd, CLONE_NEWPID, "PID");
  join(net_fd, CLONE_NEWNET, "network");

  // While the program runs, Ctrl-C and Ctrl-\ are its own (the terminal sends them to both of us).
  struct sigaction ignore {}, old_int {}, old_quit {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  const pid_t child = fork();
  if (child < 0) throw NetnsError(std::string("net: fork(): ") + std::strerror(errno));
  if (child == 0) {
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGQUIT, &old_quit, nullptr);
    for (const std::string& entry : environment) putenv(const_cast<char*>(entry.c_str()));  // lives until exec
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "lab net: cannot run %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::vector<HostProcess> processes_on_host(const StandingState& state, Host host) {
  std::vector<HostProcess> found;
  const ino_t wanted = inode_of(proc_path(state.holder, "fd/" + std::to_string(ns_fd(state, host))));
  if (wanted == 0) return found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  constexpr std::size_t max_processes = 1000;  // a listing for a terminal, not an inventory
  while (dirent* entry = readdir(proc)) {
    const char* name = entry->d_name;
    if (!std::all_of(name, name + std::strlen(name), [](char c) { return c >= '0' && c <= '9'; })) continue;
    const pid_t pid = static_cast<pid_t>(std::atol(name));
    if (pid <= 0 || inode_of(proc_path(pid, "ns/net")) != wanted) continue;
    std::ifstream in(proc_path(pid, "cmdline"));
    std::string command((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!command.empty() && command.back() == '\0') command.pop_back();
    std::replace(command.begin(), command.end(), '\0', ' ');
    found.push_back({pid, command});
    if (found.size() >= max_processes) break;
  }
  closedir(proc);
  std::sort(found.begin(), found.end(), [](const HostProcess& a, const HostProcess& b) { return a.pid < b.pid; });
  return found;
}

}  // namespace lab::labs
