#pragma once
// The web tests' tools: an HttpPingServer on a thread of its own, and a plain blocking client that writes any
// bytes (whole requests, pipelined ones, one byte at a time) and splits what comes back into responses.
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "capture/decode/http.hpp"
#include "echo/echo_event.hpp"
#include "web/http_messages.hpp"
#include "web/http_ping.hpp"

namespace lab::web::test {

using lab::echo::Actor;
using lab::echo::EchoEvent;
using lab::echo::EventKind;

// The server runs on its own thread, so that the test's client may block; its events are read once it stopped.
class ServerThread {
 public:
  explicit ServerThread(HttpServerOptions options = {}) {
    options.on_served = [this](const HttpServed& served) {
      const std::lock_guard lock(mutex_);
      served_.push_back(served);
    };
    server_.emplace(io_, options, [this](const EchoEvent& event) {
      const std::lock_guard lock(mutex_);
      events_.push_back(event);
      changed_.notify_all();
    });
    port_ = server_->port();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ServerThread() { finish(); }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  std::uint16_t port() const { return port_; }
  // Stops the server (a close event for each connection still open) and its thread: then the events may be read.
  void finish() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      server_->stop();
      guard_.reset();
    });
    thread_.join();
  }
  // Waits (at most 3 s) until the server has reported `n` events of this kind; whether it did.
  bool wait_for(EventKind kind, std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(3), [&] {
      std::size_t seen = 0;
      for (const EchoEvent& e : events_) seen += e.kind == kind;
      return seen >= n;
    });
  }
  // Read these once finish() returned: the server's thread has stopped then.
  const std::vector<EchoEvent>& events() const { return events_; }
  const std::vector<HttpServed>& served() const { return served_; }
  std::size_t count(EventKind kind) const {
    std::size_t n = 0;
    for (const EchoEvent& e : events_) n += e.kind == kind;
    return n;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(io_);
  std::optional<HttpPingServer> server_;
  std::mutex mutex_;  // the events come on the server's thread, wait_for() looks at them on the test's
  std::condition_variable changed_;
  std::vector<EchoEvent> events_;
  std::vector<HttpServed> served_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

struct Response {
  int status = 0;
  std::string head;  // the status line and fields, as sent
  std::string body;
  bool closes = false;  // "Connection: close"
};

// A blocking client whose every recv() waits at most 3 s (SO_RCVTIMEO): a broken server fails the test, never hangs it.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) : socket_(io_) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    const timeval limit{3, 0};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    socket_.set_option(asio::ip::tcp::no_delay(true));  // each write its own segment, for the byte-by-byte test
  }
  void send(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // The next `n` responses (to requests of `method`), or fewer when the server closes or goes silent first.
  std::vector<Response> responses(std::size_t n, std::string_view method = "GET") {
    std::vector<Response> out;
    while (out.size() < n) {
      lab::decode::HttpHead head;
      const auto status = lab::decode::parse_http_head(as_bytes(pending_), head, method);
      // A response to HEAD has a Content-Length and no body (the parser knows, from the method).
      const std::size_t body =
          head.body == lab::decode::HttpBodyLength::content_length ? static_cast<std::size_t>(head.content_length) : 0;
      if (status == lab::decode::HttpHeadStatus::complete && pending_.size() >= head.head_length + body) {
        Response r;
        r.status = head.status;
        r.closes = head.connection_close;
        r.head = pending_.substr(0, head.head_length);
        r.body = pending_.substr(head.head_length, body);
        pending_.erase(0, head.head_length + body);
        out.push_back(std::move(r));
        continue;
      }
      if (status == lab::decode::HttpHeadStatus::malformed || status == lab::decode::HttpHeadStatus::not_http) break;
      if (!receive()) break;
    }
    return out;
  }
  // Whether the server closed the connection (recv() returns 0) with nothing more sent, within the recv limit.
  bool server_closed() {
    if (!pending_.empty()) return false;
    char byte = 0;
    asio::error_code error;
    const std::size_t n = socket_.read_some(asio::buffer(&byte, 1), error);
    return n == 0 && error == asio::error::eof;
  }
  void close() { socket_.close(); }

 private:
  bool receive() {
    char data[4096];
    asio::error_code error;
    const std::size_t n = socket_.read_some(asio::buffer(data), error);
    if (error || n == 0) return false;
    pending_.append(data, n);
    return true;
  }
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  std::string pending_;
};

inline std::string get(std::string_view target, std::string_view extra_fields = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_fields) + "\r\n";
}

}  // namespace lab::web::test
