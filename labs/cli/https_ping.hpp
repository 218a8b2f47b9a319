#pragma once
// lab https-ping: the HTTPS server answering GET /ping and a client calling it over TLS, their packets captured and
// explained (labs/https_lab.hpp).
#include <CLI/CLI.hpp>

#include "labs/cli/echo_options.hpp"

namespace lab::labs::cli {

// Adds the https-ping subcommand to app, its options, and run_https_ping as what it does.
void setup_https_ping(CLI::App& app);
int run_https_ping(const EchoLabFlags& flags);

}  // namespace lab::labs::cli
