#pragma once
// `lab server` and `lab client`: the lab's echo server and client on their own, for a class's two terminals or
// two machines, talking to each other or to any peer (nc, socat, the classroom's Python scripts). They run in the
// caller's network namespace, as any program would: no capture here (watch them with `lab capture` or
// `lab net watch`). No Asio in this header.
#include <cstdint>
#include <string>
#include <vector>

#include "labs/echo_lab.hpp"

namespace lab::labs {

struct ServerRunOptions {
  Transport transport = Transport::tcp;
  std::string bind = "127.0.0.1";  // an IPv4 or IPv6 literal; 0.0.0.0 (or ::) for every interface
  std::uint16_t port = 0;          // 0: 65432 for TCP, 5005 for UDP
  OutputFormat format = OutputFormat::text;
};

struct ClientRunOptions {
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // an address, or a name resolved once at the start
  std::uint16_t port = 0;          // 0: 65432 for TCP, 5005 for UDP
  std::vector<std::string> messages;  // empty: each line of standard input, as it comes
  int reply_timeout_ms = 2000;
  OutputFormat format = OutputFormat::text;
};

// Serves until SIGINT (Ctrl-C) or SIGTERM, logging each client and message on stdout, then prints a one-line
// summary. Returns the exit code: 0 after a signal. Throws std::runtime_error (one line) when it cannot listen.
int run_echo_server(const ServerRunOptions& options);

// Sends each message and prints its echo, then closes; Ctrl-C (or SIGTERM) ends it early. Ends with a
// one-line summary. Returns 0 when every echo came back (or on a signal), 1 otherwise, the reason on stderr.
int run_echo_client(const ClientRunOptions& options);

}  // namespace lab::labs
