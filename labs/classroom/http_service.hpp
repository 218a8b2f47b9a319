#pragma once
// `lab server http` and `lab client http`: the web lab's server and client on their own (web/http_ping.hpp), for
// curl, wget, httpie or a browser, in the caller's network namespace as any program would be; watch them with
// `lab capture` or `lab net watch`. No Asio in this header.
#include <cstdint>
#include <string>

#include "labs/echo_lab.hpp"

namespace lab::labs {

struct HttpServerRunOptions {
  std::string bind = "127.0.0.1";  // an IPv4 or IPv6 literal; 0.0.0.0 (or ::) for every interface
  std::uint16_t port = 0;          // 0: 8080
  int idle_timeout_ms = 5000;      // a keep-alive connection with no request for this long is closed
  OutputFormat format = OutputFormat::text;
};

struct HttpClientRunOptions {
  std::string url;  // http://host[:port]/path
  int requests = 1;
  bool keep_alive = false;
  int reply_timeout_ms = 2000;
  OutputFormat format = OutputFormat::text;
};

// Serves until SIGINT (Ctrl-C) or SIGTERM, logging each connection and each request with the status it answered,
// then prints a one-line summary. Returns 0 after a signal. Throws std::runtime_error (one line) when it cannot
// listen.
int run_http_server(const HttpServerRunOptions& options);

// Calls the URL options.requests times and prints each response; Ctrl-C ends it early. Ends with a one-line
// summary. Returns 0 when every response came (whatever its status), 2 for a URL it cannot use, 1 otherwise,
// the reason on stderr.
int run_http_client(const HttpClientRunOptions& options);

}  // namespace lab::labs
