#pragma once
// The web lab's programs, the HTTP counterparts of echo/'s: a tiny HTTP/1.1 server answering GET /ping, and a
// client calling it, as objects on an Asio io_context (C++20 coroutines inside). They report every socket call
// as a lab::echo::EchoEvent, exactly as the echo programs do, so that the labs' timeline shows them the same way.
// Requests and responses are read with the capture side's own parser (capture/decode/http.hpp): one tested
// parser for what the lab sends and what it explains. As with any Asio object, the io_context must outlive them.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "echo/echo_event.hpp"

namespace asio {
class io_context;
}

namespace lab::web {

inline constexpr std::uint16_t default_http_port = 8080;  // the usual port of a development web server
inline constexpr const char* ping_path = "/ping";
// What GET /ping answers: a JSON body that says nothing but "I am here", as a health-check endpoint does.
inline constexpr const char* pong_body = "{\"pong\":true}\n";

// "lab/0.1.0": the program and its version, as User-Agent and Server carry them (RFC 9110 §10.1.5).
const char* product_token();

// One request the server answered: what `lab server http` logs.
struct HttpServed {
  std::int64_t time_ns = 0;  // as the answer is sent (CLOCK_REALTIME, as the events' times)
  std::string peer;    // the client, "127.0.0.1:48258"
  std::string method{};  // ({}: GCC bug 96868) empty when the request could not be read (400, 431)
  std::string target{};
  int version_minor = 1;
  int status = 0;      // 200, 404, ...
  std::size_t body_bytes = 0;  // of the response's body, as sent (0 for HEAD)
  bool closes = false;         // the server closes the connection after this answer
};
using HttpServedSink = std::function<void(const HttpServed&)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  std::uint16_t port = 0;          // 0: the kernel chooses (tests); the labs pass default_http_port
  // A keep-alive connection with no request for this long is closed by the server (its FIN first), as real
  // servers do (nginx: 75 s, Apache: 5 s), so that idle clients do not hold connections forever.
  std::chrono::milliseconds idle_timeout{5000};
  // After the server's FIN, how long it waits for the client's before it closes anyway (see close_in_stages()).
  std::chrono::milliseconds linger_timeout{2000};
  std::size_t max_head_bytes = 8 * 1024;  // a longer request head is answered with 431 and the connection closed
  std::uint64_t max_body_bytes = 1024 * 1024;  // a longer request body is answered with 413 and the connection closed
  std::string server_name;          // the Server field; empty: product_token()
  HttpServedSink on_served{};       // optional: each answered request ({}: GCC bug 96868)
};

// The HTTP server: listens on construction (throws std::system_error when it cannot, e.g. the port is in use),
// then serves any number of connections at once, each for as many requests as its client sends.
class HttpPingServer {
 public:
  HttpPingServer(asio::io_context& io, const HttpServerOptions& options, lab::echo::EchoEventSink sink);
  ~HttpPingServer();
  HttpPingServer(const HttpPingServer&) = delete;
  HttpPingServer& operator=(const HttpPingServer&) = delete;

  std::uint16_t port() const;  // the bound port (useful with port 0)
  void stop();                 // stop accepting and close every connection (a close event for each)
  // The destructor stops too, but reports nothing: whoever received the events may be gone already.

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct HttpResponseSummary {
  int status = 0;
  std::string reason{};
  std::size_t head_bytes = 0;
  std::uint64_t body_bytes = 0;
  std::string body_start{};  // the body's first bytes (at most lab::echo::event_data_limit)
  int connection = 0;      // which connection carried it, from 0
};

struct HttpClientOptions {
  std::string host = "127.0.0.1";  // an address, or a name for Asio's resolver
  std::uint16_t port = default_http_port;
  std::string target = ping_path;
  std::string host_field{};        // the Host field; empty: host[:port] as given
  int requests = 1;                // how many GET requests
  // true: all of them on one connection, and the client closes it after the last response (its FIN first);
  // false: one connection each, every request with "Connection: close", so the server closes (its FIN first).
  bool keep_alive = false;
  std::chrono::milliseconds reply_timeout{2000};    // each wait for the server's bytes
  std::chrono::milliseconds connect_timeout{3000};  // each handshake
  std::string user_agent{};        // the User-Agent field; empty: product_token()
  std::function<void(const HttpResponseSummary&)> on_response{};  // optional: each response, once read whole
};

struct HttpClientResult {
  bool ok = false;
  std::string error{};  // one line, for the student, when !ok ({}: GCC bug 96868)
  std::vector<HttpResponseSummary> responses{};
  int connections = 0;  // opened
};
using HttpClientDone = std::function<void(const HttpClientResult&)>;

// Sends options.requests GET requests, reads each response whole (its body by Content-Length, chunked, or until
// the close), then closes. `done` runs once at the end, on the io_context.
void start_http_client(asio::io_context& io, const HttpClientOptions& options, lab::echo::EchoEventSink sink,
                       HttpClientDone done);

}  // namespace lab::web
