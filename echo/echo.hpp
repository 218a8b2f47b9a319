#pragma once
// The echo servers and clients, as objects on an Asio io_context (C++20 coroutines inside).
// Only a forward declaration of asio::io_context here, so that including this header stays cheap.
// As with any Asio object, the io_context must outlive these objects, and their methods are called on the
// io_context's thread (or while it is not running).
#include <chrono>
#include <functional>
#include <memory>

#include "echo/echo_event.hpp"
#include "echo/echo_options.hpp"

namespace asio {
class io_context;
}

namespace lab::echo {

// A TCP echo server: listens on construction (throws std::system_error when it cannot, e.g. the port is in
// use), then serves any number of clients at once, echoing exactly the bytes each sends until it closes.
class TcpEchoServer {
 public:
  TcpEchoServer(asio::io_context& io, const ServerOptions& options, EchoEventSink sink);
  ~TcpEchoServer();
  TcpEchoServer(const TcpEchoServer&) = delete;
  TcpEchoServer& operator=(const TcpEchoServer&) = delete;

  std::uint16_t port() const;  // the bound port (useful with port 0)
  void stop();                 // stop accepting and close every connection (a close event for each)
  // The destructor stops too, but reports nothing: whoever received the events may be gone already.

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A UDP echo server: binds on construction (throws std::system_error), sends every datagram back to its
// sender unchanged.
class UdpEchoServer {
 public:
  UdpEchoServer(asio::io_context& io, const ServerOptions& options, EchoEventSink sink);
  ~UdpEchoServer();
  UdpEchoServer(const UdpEchoServer&) = delete;
  UdpEchoServer& operator=(const UdpEchoServer&) = delete;

  std::uint16_t port() const;
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

using ClientDone = std::function<void(const ClientResult&)>;

// A TCP echo client: connect, then for each message send it and read back as many bytes, then close (the
// client closes first, as a typical client does; ClientOptions::close chooses another ending). `done` runs
// once at the end, on the io_context.
void start_tcp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done);

// A UDP echo client: for each message sendto() it and wait for the reply (up to reply_timeout), then close.
// With ClientOptions::connect_udp it connect()s first and uses send() and recv().
void start_udp_echo_client(asio::io_context& io, const ClientOptions& options, EchoEventSink sink, ClientDone done);

// The meeting point of ServerClose::together and ClientClose::together, for one client and one server on `io`:
// pass the same one in both options. A side that waits longer than `wait_limit` for the other closes alone
// and reports a timeout.
std::shared_ptr<CloseTogether> make_close_together(asio::io_context& io,
                                                   std::chrono::milliseconds wait_limit = std::chrono::milliseconds{2000});

}  // namespace lab::echo
