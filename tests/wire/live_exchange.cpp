#include "tests/wire/live_exchange.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <stdexcept>
#include <type_traits>

#include "labs/net/netns.hpp"
#include "labs/net/two_hosts.hpp"

namespace lab::labs::testing {

namespace {

constexpr std::uint16_t echo_port = 65432;
constexpr std::int64_t ms = 1'000'000;

std::int64_t clock_ns(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

class RecordingSink : public lab::pcap::FrameSink {
 public:
  std::vector<RecordedFrame> frames;
  void on_frame(const lab::decode::Frame& frame) override {
    frames.push_back({frame.time_ns, frame.wire.dropped, frame.wire.trigger, frame.wire_len,
                      std::vector<std::uint8_t>(frame.bytes.begin(), frame.bytes.end())});
  }
};

// The result crosses the pipe as raw bytes: the same binary writes and reads them.
struct Writer {
  std::string out;
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_bytes(const void* data, std::size_t size) {
    put(size);
    out.append(static_cast<const char*>(data), size);
  }
};

struct Reader {
  std::string_view in;
  template <typename T>
  T get() {
    T value{};
    if (in.size() < sizeof value) throw std::runtime_error("the child's result is cut short");
    std::memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return value;
  }
  std::string_view get_bytes() {
    const auto size = get<std::size_t>();
    if (in.size() < size) throw std::runtime_error("the child's result is cut short");
    const std::string_view bytes = in.substr(0, size);
    in.remove_prefix(size);
    return bytes;
  }
};

std::string serialize(const ExchangeResult& result) {
  Writer w;
  w.put_bytes(result.error.data(), result.error.size());
  w.put(result.reply_bytes);
  w.put(result.reply_matches);
  w.put(result.connect_ns);
  w.put(result.client_counters);
  w.put(result.server_counters);
  w.put(result.stats);
  w.put(result.frames.size());
  for (const RecordedFrame& frame : result.frames) {
    w.put(frame.time_ns);
    w.put(frame.dropped);
    w.put(frame.trigger);
    w.put(frame.wire_len);
    w.put_bytes(frame.bytes.data(), frame.bytes.size());
  }
  return w.out;
}

ExchangeResult deserialize(std::string_view bytes) {
  Reader r{bytes};
  ExchangeResult result;
  result.error = std::string(r.get_bytes());
  result.reply_bytes = r.get<std::uint64_t>();
  result.reply_matches = r.get<bool>();
  result.connect_ns = r.get<std::int64_t>();
  result.client_counters = r.get<TcpCounters>();
  result.server_counters = r.get<TcpCounters>();
  result.stats = r.get<Wire::Stats>();
  const auto count = r.get<std::size_t>();
  for (std::size_t i = 0; i < count; ++i) {
    RecordedFrame frame;
    frame.time_ns = r.get<std::int64_t>();
    frame.dropped = r.get<bool>();
    frame.trigger = r.get<lab::decode::SendTrigger>();
    frame.wire_len = r.get<std::uint32_t>();
    const std::string_view data = r.get_bytes();
    frame.bytes.assign(data.begin(), data.end());
    result.frames.push_back(std::move(frame));
  }
  return result;
}

// As a normal user would run the lab: uid and gid 65534, no supplementary groups. Dumpable again, or
// /proc/self would stay root's and the user-namespace maps could not be written (see labs/net/netns.cpp).
void become_nobody() {
  if (geteuid() != 0) return;  // already unprivileged
  if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
    throw std::runtime_error(std::string("cannot become nobody: ") + std::strerror(errno));
  prctl(PR_SET_DUMPABLE, 1);
}

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t size = 0;
};

SocketAddress socket_address(bool ipv6, const std::string& ip) {
  SocketAddress address;
  if (ipv6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(echo_port);
    inet_pton(AF_INET6, ip.c_str(), &in6->sin6_addr);
    address.size = sizeof *in6;
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address.storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(echo_port);
    inet_pton(AF_INET, ip.c_str(), &in4->sin_addr);
    address.size = sizeof *in4;
  }
  return address;
}

int checked(int value, const char* what) {
  if (value < 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
  return value;
}

// The echo exchange itself, in the child: the client sends the message, the server echoes what it reads, the
// client closes once the whole echo is back, the server closes on EOF. Then a short linger carries the last
// FIN and ACK across.
ExchangeResult exchange(const ExchangeOptions& options) {
  ExchangeResult result;
  if (options.as_nobody) become_nobody();
  enter_private_network();
  TwoHosts hosts = TwoHosts::create(options.ipv6);
  RecordingSink sink;
  Wire wire(hosts, options.faults, sink);
  const int family = options.ipv6 ? AF_INET6 : AF_INET;

  std::string message(options.message_size, '\0');
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>('a' + i % 26);

  hosts.enter(Host::server);
  const int listener = checked(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "server socket");
  const SocketAddress server = socket_address(options.ipv6, hosts.address(Host::server));
  checked(bind(listener, reinterpret_cast<const sockaddr*>(&server.storage), server.size), "bind");
  checked(listen(listener, 4), "listen");

  hosts.enter(Host::client);
  int client = checked(socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "client socket");
  const std::int64_t start = clock_ns(CLOCK_MONOTONIC);
  if (connect(client, reinterpret_cast<const sockaddr*>(&server.storage), server.size) == 0 || errno != EINPROGRESS)
    throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  hosts.enter_wire();

  bool connecting = true;
  std::size_t sent = 0;
  std::string received;
  int connection = -1;
  std::string pending;  // what the server has read and not yet echoed
  bool server_done = false;
  std::int64_t finish_at = 0;
  const std::int64_t linger = 300 * ms + 2 * static_cast<std::int64_t>(options.faults.delay_ms) * ms;
  const std::int64_t deadline = start + 8000 * ms;
  char buffer[65536];

  for (;;) {
    const std::int64_t now = clock_ns(CLOCK_MONOTONIC);
    if (now >= deadline || (finish_at != 0 && now >= finish_at)) break;
    pollfd fds[5] = {};
    fds[0] = {hosts.cable(Host::client), POLLIN, 0};
    fds[1] = {hosts.cable(Host::server), POLLIN, 0};
    fds[2] = {connection < 0 ? listener : -1, POLLIN, 0};
    fds[3] = {server_done ? -1 : connection, static_cast<short>(POLLIN | (pending.empty() ? 0 : POLLOUT)), 0};
    fds[4] = {client, static_cast<short>(POLLIN | (connecting || sent < message.size() ? POLLOUT : 0)), 0};
    int timeout_ms = 20;
    if (const auto due = wire.next_due()) {
      const std::int64_t wait = (*due - clock_ns(CLOCK_REALTIME)) / ms + 1;
      timeout_ms = static_cast<int>(std::clamp<std::int64_t>(wait, 0, timeout_ms));
    }
    if (poll(fds, 5, timeout_ms) < 0 && errno != EINTR) throw std::runtime_error("poll failed");

    wire.deliver_due(clock_ns(CLOCK_REALTIME));
    if (fds[0].revents & POLLIN) wire.carry_from(Host::client);
    if (fds[1].revents & POLLIN) wire.carry_from(Host::server);

    if (fds[2].revents & POLLIN) connection = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (connection >= 0 && !server_done) {
      if (fds[3].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = recv(connection, buffer, sizeof buffer, 0);
        if (n == 0) {
          close(connection);
          server_done = true;
        } else if (n > 0) {
          pending.append(buffer, static_cast<std::size_t>(n));
        }
      }
      if (!server_done && !pending.empty()) {
        const ssize_t n = send(connection, pending.data(), pending.size(), MSG_NOSIGNAL);
        if (n > 0) pending.erase(0, static_cast<std::size_t>(n));
      }
    }

    if (client >= 0) {
      if (connecting && (fds[4].revents & (POLLOUT | POLLERR | POLLHUP))) {
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) throw std::runtime_error(std::string("connect: ") + std::strerror(error));
        result.connect_ns = clock_ns(CLOCK_MONOTONIC) - start;
        connecting = false;
      }
      if (!connecting && sent < message.size()) {
        const ssize_t n = send(client, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<std::size_t>(n);
      }
      if (!connecting && (fds[4].revents & POLLIN)) {
        const ssize_t n = recv(client, buffer, sizeof buffer, 0);
        if (n > 0) received.append(buffer, static_cast<std::size_t>(n));
        if (received.size() >= message.size()) {
          close(client);
          client = -1;
        }
      }
    }
    if (client < 0 && server_done && finish_at == 0) finish_at = clock_ns(CLOCK_MONOTONIC) + linger;
  }
  if (client >= 0 || !server_done) result.error = "the exchange did not finish within 8 s";
  result.reply_bytes = received.size();
  result.reply_matches = received == message;
  result.client_counters = read_tcp_counters(hosts.netstat(Host::client));
  result.server_counters = read_tcp_counters(hosts.netstat(Host::server));
  result.stats = wire.stats();
  result.frames = std::move(sink.frames);
  return result;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

ExchangeResult run_exchange_in_child(const ExchangeOptions& options, int timeout_ms) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    close(pipe_fds[0]);
    ExchangeResult result;
    try {
      result = exchange(options);
    } catch (const std::exception& error) {
      result.error = error.what();
    }
    write_all(pipe_fds[1], serialize(result));
    _exit(0);  // no atexit handlers: they belong to the test runner in the parent
  }
  close(pipe_fds[1]);

  std::string bytes;
  const std::int64_t deadline = clock_ns(CLOCK_MONOTONIC) + static_cast<std::int64_t>(timeout_ms) * ms;
  bool timed_out = false;
  for (;;) {
    const std::int64_t left_ms = (deadline - clock_ns(CLOCK_MONOTONIC)) / ms;
    if (left_ms <= 0) {
      timed_out = true;
      break;
    }
    pollfd fd{pipe_fds[0], POLLIN, 0};
    if (poll(&fd, 1, static_cast<int>(left_ms)) <= 0) continue;
    char chunk[65536];
    const ssize_t n = read(pipe_fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  if (timed_out) kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  if (timed_out) {
    ExchangeResult result;
    result.error = "the child did not finish within " + std::to_string(timeout_ms) + " ms";
    return result;
  }
  return deserialize(bytes);
}

}  // namespace lab::labs::testing
