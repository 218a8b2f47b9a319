#pragma once
// lab client: the lab's echo client on its own, for any echo server (labs/classroom/echo_service.hpp), or its HTTP
// client for a URL (labs/classroom/http_service.hpp).
#include <CLI/CLI.hpp>

#include "labs/classroom/echo_service.hpp"
#include "labs/classroom/http_service.hpp"

namespace lab::labs::cli {

struct ClientFlags {
  std::string protocol = "tcp";
  std::string format = "text";
  ClientRunOptions options;
  HttpClientRunOptions http;  // url, requests, keep_alive
  ClientRunOptions resolved() const;
  HttpClientRunOptions resolved_http() const;
};

// Adds the client subcommand to app, its options, and run_client as what it does.
void setup_client(CLI::App& app);
int run_client(const ClientFlags& flags);

}  // namespace lab::labs::cli
