#pragma once
// lab server: the lab's echo server on its own, for any client (labs/classroom/echo_service.hpp), or its HTTP
// server (labs/classroom/http_service.hpp), for curl.
#include <CLI/CLI.hpp>

#include "labs/classroom/echo_service.hpp"
#include "labs/classroom/http_service.hpp"

namespace lab::labs::cli {

struct ServerFlags {
  std::string protocol = "tcp";
  std::string format = "text";
  ServerRunOptions options;
  int idle_timeout_ms = 5000;  // http only
  ServerRunOptions resolved() const;
  HttpServerRunOptions resolved_http() const;
};

// Adds the server subcommand to app, its options, and run_server as what it does.
void setup_server(CLI::App& app);
int run_server(const ServerFlags& flags);

}  // namespace lab::labs::cli
