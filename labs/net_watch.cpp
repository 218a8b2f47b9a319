#include "labs/net_watch.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "capture/decode/packet.hpp"
#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/frame_filter.hpp"
#include "capture/timeline/explainer.hpp"
#include "labs/net/netns.hpp"
#include "labs/net/standing_state.hpp"
#include "labs/net/two_hosts.hpp"
#include "labs/net/wire_feed.hpp"
#include "labs/renderer_choice.hpp"
#include "labs/terminal.hpp"

namespace lab::labs {
namespace {

using lab::decode::KernelView;

volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }

void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The wire reads the kernels by host: `client` is the client host's. The JSON's kernel_states name the
// connection's sides, so a connection that the server host opened (a client program run there) has them swapped,
// and one whose SYN this watcher did not see (it was opened before lab net watch started) has them cleared: which
// side opened it is then the tracker's guess, and a kernel's word must not be hung on a guess.
class KernelRoles {
 public:
  enum class Mapping : std::uint8_t { unknown, as_is, swapped };

  // Call for every frame, in order: learns connections from their SYNs, returns how to map the frame's view.
  Mapping of(const lab::decode::DecodedPacket& packet) {
    if (!packet.tcp || !packet.has_ip() || !packet.link.has_macs) return Mapping::unknown;
    const bool from_client_host = packet.link.src_mac().bytes == TwoHosts::mac(Host::client);
    const bool from_server_host = packet.link.src_mac().bytes == TwoHosts::mac(Host::server);
    if (!from_client_host && !from_server_host) return Mapping::unknown;
    const Key key = key_of(packet);
    if (packet.tcp->has(lab::decode::tcp_flag::syn) && !packet.tcp->has(lab::decode::tcp_flag::ack)) {
      Entry& slot = entries_[next_++ % entries_.size()];  // the oldest connection makes room
      slot = {key, from_client_host ? Mapping::as_is : Mapping::swapped};
      for (std::size_t i = 0; i < entries_.size(); ++i)  // a newer SYN of the same four numbers replaces the old
        if (&entries_[i] != &slot && entries_[i].key == key) entries_[i] = {};
      return slot.mapping;
    }
    for (const Entry& e : entries_)
      if (e.mapping != Mapping::unknown && e.key == key) return e.mapping;
    return Mapping::unknown;
  }

  static void apply(Mapping mapping, KernelView& view) {
    if (mapping == Mapping::as_is) return;
    if (mapping == Mapping::swapped) {
      std::swap(view.client, view.server);
      std::swap(view.client_figures, view.server_figures);
      return;
    }
    view = KernelView{};
  }

 private:
  // Both directions give the same key: the lower endpoint first.
  struct Key {
    lab::decode::IpAddress a, b;
    std::uint16_t a_port = 0, b_port = 0;
    bool operator==(const Key&) const = default;
  };
  struct Entry {
    Key key;
    Mapping mapping = Mapping::unknown;
  };
  static Key key_of(const lab::decode::DecodedPacket& p) {
    Key k{*p.src_ip(), *p.dst_ip(), p.tcp->src_port, p.tcp->dst_port};
    if (std::tie(k.b, k.b_port) < std::tie(k.a, k.a_port)) {
      std::swap(k.a, k.b);
      std::swap(k.a_port, k.b_port);
    }
    return k;
  }
  std::array<Entry, 256> entries_{};  // the classroom's connections at one time, with room to spare
  std::size_t next_ = 0;
};

// Held frames' mappings until their delivery, by wire number (the wire holds at most Wire::max_held).
class HeldMappings {
 public:
  void remember(std::uint64_t id, KernelRoles::Mapping m) { slots_[id % slots_.size()] = {id, m}; }
  KernelRoles::Mapping of(std::uint64_t id) const {
    const Slot& s = slots_[id % slots_.size()];
    return s.id == id ? s.mapping : KernelRoles::Mapping::unknown;
  }

 private:
  struct Slot {
    std::uint64_t id = 0;
    KernelRoles::Mapping mapping = KernelRoles::Mapping::unknown;
  };
  std::array<Slot, 16384> slots_{};
};

int connect_to_feed() {
  const std::string path = standing_feed_path();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw NetnsError("net watch: the socket path " + path + " is too long");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) throw NetnsError(std::string("net watch: socket(AF_UNIX): ") + std::strerror(errno));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    close(fd);
    throw NetnsError("net watch: cannot reach the network's holder at " + path + ": " + std::strerror(error));
  }
  const char hello = 'W';
  if (send(fd, &hello, 1, MSG_NOSIGNAL) != 1) {
    close(fd);
    throw NetnsError("net watch: the network's holder did not take the request");
  }
  return fd;
}

}  // namespace

int run_net_watch(const NetWatchOptions& options) {
  const auto network = running_network();
  if (!network) throw NetnsError("net watch: no classroom network is running (lab net up starts one)");
  // Compiled before anything is shown: a bad --filter is a usage error, with nothing half printed.
  const lab::pcap::FrameFilter filter(options.filter, lab::decode::link_type::ethernet);
  std::unique_ptr<lab::pcap::FileWriter> writer;
  if (!options.write_path.empty())
    writer = std::make_unique<lab::pcap::FileWriter>(options.write_path, lab::decode::link_type::ethernet);
  const int feed = connect_to_feed();
  // On standard error, so that the JSON on standard output stays JSON; a script can wait for this line.
  std::fprintf(stderr, "Watching the classroom network's wire (server %s, client %s); Ctrl-C ends it.\n",
               network->server_ip.c_str(), network->client_ip.c_str());

  const auto renderer = make_multi_conversation_renderer(options);
  lab::timeline::Explainer explainer(*renderer, {options.absolute, options.wireshark_rules}, write_stdout);
  KernelRoles roles;
  auto held = std::make_unique<HeldMappings>();
  std::vector<std::uint8_t> message(feed_max_message);
  std::uint64_t shown = 0, missed = 0;
  bool network_gone = false;

  catch_interrupts();
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  pollfd watch{feed, POLLIN, 0};
  while (!interrupted && !(options.max_packets != 0 && shown >= options.max_packets)) {
    if (options.max_seconds > 0 && elapsed() >= options.max_seconds) break;
    if (poll(&watch, 1, 100) <= 0) continue;
    const ssize_t n = recv(feed, message.data(), message.size(), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) {
      network_gone = true;
      break;
    }
    auto m = decode_feed_message(std::span<const std::uint8_t>(message.data(), static_cast<std::size_t>(n)));
    if (!m) continue;  // not a message of this lab version: skipped, not guessed at
    missed += m->missed_before;
    if (m->kind == FeedKind::delivered) {
      KernelRoles::apply(held->of(m->wire_id), m->kernel);
      explainer.delivered(m->wire_id, m->delivered_ns, m->kernel);
      continue;
    }
    lab::decode::Frame& frame = m->frame;
    const auto mapping = roles.of(lab::decode::decode_packet(frame));
    KernelRoles::apply(mapping, frame.wire.kernel);
    held->remember(frame.wire.id, mapping);
    if (!filter.matches(frame)) continue;
    if (writer) writer->on_frame(frame);
    explainer.packet(frame);
    ++shown;
  }
  close(feed);
  const std::string lab_fields = fmt::format("\"watch\":{{\"missed\":{},\"network_went_down\":{}}}", missed,
                                             network_gone ? "true" : "false");
  explainer.finish(network_gone ? "The classroom network went down (lab net down, or its holder ended)." : "",
                   missed, lab_fields);
  if (writer) writer->flush();
  return 0;
}

}  // namespace lab::labs
