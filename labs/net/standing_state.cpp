#include "labs/net/standing_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "labs/net/netns.hpp"

namespace lab::labs {

namespace {

constexpr const char* state_header = "lab-net 1";

// A directory we own that nobody else may write, created if missing.
std::string checked_directory(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    throw NetnsError("net: cannot create " + path + ": " + std::strerror(errno));
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0) throw NetnsError("net: cannot read " + path + ": " + std::strerror(errno));
  if (!S_ISDIR(info.st_mode) || info.st_uid != geteuid() || (info.st_mode & 022) != 0)
    throw NetnsError("net: " + path + " is not a private directory of this user; remove it and try again");
  return path;
}

}  // namespace

std::string standing_directory() {
  // XDG_RUNTIME_DIR is the user's own (systemd makes it, 0700); elsewhere a directory of ours in /tmp.
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && runtime[0] == '/') {
    struct stat info {};
    if (stat(runtime, &info) == 0 && S_ISDIR(info.st_mode) && info.st_uid == geteuid())
      return checked_directory(std::string(runtime) + "/lab");
  }
  return checked_directory("/tmp/lab-" + std::to_string(geteuid()));
}

std::string standing_lock_path() { return standing_directory() + "/net.lock"; }
std::string standing_state_path() { return standing_directory() + "/net.state"; }
std::string standing_feed_path() { return standing_directory() + "/net.sock"; }

std::string format_state(const StandingState& s) {
  std::ostringstream out;
  out << state_header << '\n'
      << "holder " << s.holder << '\n'
      << "holder_start " << s.holder_start << '\n'
      << "client_ns_fd " << s.client_ns_fd << '\n'
      << "server_ns_fd " << s.server_ns_fd << '\n'
      << "client_ip " << s.client_ip << '\n'
      << "server_ip " << s.server_ip << '\n'
      << "prefix " << s.prefix << '\n'
      << "mtu " << s.mtu << '\n'
      << "faults " << s.faults << '\n';
  return out.str();
}

int write_state_file(const StandingState& state) {
  const std::string path = standing_state_path();
  const std::string temporary = path + ".new";
  const int out = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0) return errno;
  const std::string text = format_state(state);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(out, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const int error = done < text.size() ? (errno != 0 ? errno : EIO) : 0;
  if (close(out) != 0 && error == 0) return errno;
  if (error != 0) return error;
  return rename(temporary.c_str(), path.c_str()) == 0 ? 0 : errno;
}

std::optional<StandingState> parse_state(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != state_header) return std::nullopt;
  StandingState s;
  int fields = 0;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    try {
      if (key == "holder") s.holder = static_cast<pid_t>(std::stol(value));
      else if (key == "holder_start") s.holder_start = std::stoull(value);
      else if (key == "client_ns_fd") s.client_ns_fd = std::stoi(value);
      else if (key == "server_ns_fd") s.server_ns_fd = std::stoi(value);
      else if (key == "client_ip") s.client_ip = value;
      else if (key == "server_ip") s.server_ip = value;
      else if (key == "prefix") s.prefix = std::stoi(value);
      else if (key == "mtu") s.mtu = std::stoi(value);
      else if (key == "faults") s.faults = value;
      else continue;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    ++fields;
  }
  if (fields < 9 || s.holder <= 0 || s.client_ns_fd < 0 || s.server_ns_fd < 0) return std::nullopt;
  return s;
}

unsigned long long process_start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  if (!(fields >> field) || field == "Z" || field == "X") return 0;  // field 3: a zombie has ended
  for (int i = 4; i < 22 && fields >> field; ++i) {
  }
  unsigned long long start = 0;
  fields >> start;
  return start;
}

std::optional<StandingState> running_network() {
  const std::string lock_path = standing_lock_path();
  const int lock = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock < 0) return std::nullopt;
  // A shared lock we can take means no holder has the exclusive one.
  const bool held = flock(lock, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close(lock);
  const std::string state_path = standing_state_path();
  std::ifstream in(state_path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto state = parse_state(text);
  if (held && state && process_start_time(state->holder) == state->holder_start) return state;
  if (!held) {  // left by a holder that did not end cleanly
    unlink(state_path.c_str());
    unlink(standing_feed_path().c_str());
  }
  return std::nullopt;
}

}  // namespace lab::labs
