#pragma once
// lab udp-echo: the echo lab over UDP (labs/echo_lab.hpp): no handshake, no acks, no teardown.
#include <CLI/CLI.hpp>

#include "labs/cli/echo_options.hpp"

namespace lab::labs::cli {

// Adds the udp-echo subcommand to app, its options, and run_udp_echo as what it does.
void setup_udp_echo(CLI::App& app);
// Refuses what UDP has no packet for (--drop syn) or cannot carry (a message over the datagram limit), with
// the reason; otherwise runs the lab.
int run_udp_echo(const EchoLabFlags& flags);

}  // namespace lab::labs::cli
