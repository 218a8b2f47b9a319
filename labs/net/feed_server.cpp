#include "labs/net/feed_server.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "labs/net/netns.hpp"
#include "labs/net/wire_feed.hpp"

namespace lab::labs {

namespace {

// Room for a burst: a watcher that is busy for a moment (a terminal scrolling) loses nothing.
constexpr int send_buffer_bytes = 4 << 20;

}  // namespace

FeedServer::FeedServer(std::string path, SetHandler on_set) : path_(std::move(path)), on_set_(std::move(on_set)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof address.sun_path) throw NetnsError("net up: the socket path " + path_ + " is too long");
  std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
  listener_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listener_ < 0) throw NetnsError(std::string("net up: socket(AF_UNIX): ") + std::strerror(errno));
  unlink(path_.c_str());  // a previous holder's, killed before it could remove it (the lock says none runs)
  if (bind(listener_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener_, static_cast<int>(max_peers)) != 0) {
    const int error = errno;
    close(listener_);
    throw NetnsError("net up: cannot listen on " + path_ + ": " + std::strerror(error));
  }
  peers_.reserve(max_peers);
  message_.reserve(feed_max_message);
}

FeedServer::~FeedServer() {
  for (const Peer& p : peers_) close(p.fd);
  close(listener_);
  unlink(path_.c_str());
}

void FeedServer::add_poll_fds(std::vector<pollfd>& fds) const {
  fds.push_back({listener_, POLLIN, 0});
  for (const Peer& p : peers_) fds.push_back({p.fd, POLLIN, 0});
}

void FeedServer::handle(std::span<const pollfd> results) {
  for (const pollfd& r : results) {
    if (r.revents == 0) continue;
    if (r.fd == listener_) continue;
    for (Peer& p : peers_)
      if (p.fd == r.fd) serve(p);
  }
  drop_closed();
  for (const pollfd& r : results)
    if (r.fd == listener_ && r.revents != 0) accept_peers();
}

void FeedServer::accept_peers() {
  for (;;) {
    const int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN: no more; anything else: try again at the next poll
    if (peers_.size() >= max_peers) {
      close(fd);  // its connect succeeded, its first read sees the end: lab net watch says too many watch
      continue;
    }
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer_bytes, sizeof send_buffer_bytes);
    peers_.push_back({fd, false, 0});
  }
}

void FeedServer::serve(Peer& peer) {
  std::uint8_t request[1024];
  const ssize_t n = recv(peer.fd, request, sizeof request, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // the peer has gone
    close(peer.fd);
    peer.fd = -1;
    return;
  }
  if (request[0] == 'W') {
    peer.watching = true;
    return;
  }
  std::string reply = "error: not a request lab knows";
  if (request[0] == 'S') reply = on_set_(std::span<const std::uint8_t>(request + 1, static_cast<std::size_t>(n - 1)));
  send(peer.fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  close(peer.fd);
  peer.fd = -1;
}

void FeedServer::drop_closed() {
  peers_.erase(std::remove_if(peers_.begin(), peers_.end(), [](const Peer& p) { return p.fd < 0; }), peers_.end());
}

void FeedServer::on_frame(const lab::decode::Frame& frame) { send_to_watchers(true, &frame, 0, 0, nullptr); }

void FeedServer::on_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel) {
  send_to_watchers(false, nullptr, wire_id, delivered_ns, &kernel);
}

void FeedServer::send_to_watchers(bool frame, const lab::decode::Frame* f, std::uint64_t wire_id,
                                  std::int64_t delivered_ns, const lab::decode::KernelView* kernel) {
  bool closed = false;
  for (Peer& p : peers_) {
    if (!p.watching) continue;
    // Each watcher's message says how many it missed, so it is encoded per watcher (usually one).
    if (frame) encode_feed_frame(*f, p.missed, message_);
    else encode_feed_delivered(wire_id, delivered_ns, *kernel, p.missed, message_);
    if (send(p.fd, message_.data(), message_.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      p.missed = 0;
    } else if (errno == EAGAIN || errno == ENOBUFS) {
      ++p.missed;  // it is behind: the wire does not wait for it
    } else {
      close(p.fd);  // it has gone
      p.fd = -1;
      closed = true;
    }
  }
  if (closed) drop_closed();
}

}  // namespace lab::labs
