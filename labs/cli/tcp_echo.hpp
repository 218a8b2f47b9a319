#pragma once
// lab tcp-echo: a TCP echo server and client, their packets captured and explained (labs/echo_lab.hpp).
#include <CLI/CLI.hpp>

#include "labs/cli/echo_options.hpp"

namespace lab::labs::cli {

// Adds the tcp-echo subcommand to app, its options, and run_tcp_echo as what it does.
void setup_tcp_echo(CLI::App& app);
int run_tcp_echo(const EchoLabFlags& flags);

}  // namespace lab::labs::cli
