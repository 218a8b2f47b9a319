#pragma once
// lab server: the lab's echo server on its own, for any client (labs/classroom/echo_service.hpp).
#include <CLI/CLI.hpp>

#include "labs/classroom/echo_service.hpp"

namespace lab::labs::cli {

struct ServerFlags {
  std::string protocol = "tcp";
  std::string format = "text";
  ServerRunOptions options;
  ServerRunOptions resolved() const;
};

// Adds the server subcommand to app, its options, and run_server as what it does.
void setup_server(CLI::App& app);
int run_server(const ServerFlags& flags);

}  // namespace lab::labs::cli
