#pragma once
// What tcp-echo and udp-echo share: most of their options, and the last check before either runs.
#include <CLI/CLI.hpp>
#include <string>

#include "labs/cli/common.hpp"
#include "labs/echo_lab.hpp"

namespace lab::labs::cli {

// An echo lab's options as parsed; resolved() turns the words (--netns, --close) into the lab's options.
struct EchoLabFlags {
  EchoLabOptions options;
  OutputFlags output;
  FaultFlags faults;
  TopologyFlags topology;
  std::string netns = "private";
  std::string close = "client";

  EchoLabOptions resolved() const;
};

// The options both echo labs take, in the order their --help lists them; each lab adds its own after them.
// Application::http_ping (http-ping) leaves out what only an echo has: --message, --size, --no-server.
void add_echo_options(CLI::App& app, EchoLabFlags& flags, Transport transport,
                      Application application = Application::echo);

// Runs the lab, unless it needs the two hosts' wire and was asked for the host's loopback (a usage error).
int run_echo_lab_checked(const EchoLabOptions& options);

}  // namespace lab::labs::cli
