#pragma once
// lab http-ping: an HTTP server answering GET /ping and a client calling it, their packets captured and explained
// (labs/http_lab.hpp).
#include <CLI/CLI.hpp>

#include "labs/cli/echo_options.hpp"

namespace lab::labs::cli {

// Adds the http-ping subcommand to app, its options, and run_http_ping as what it does.
void setup_http_ping(CLI::App& app);
int run_http_ping(const EchoLabFlags& flags);

}  // namespace lab::labs::cli
