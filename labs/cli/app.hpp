#pragma once
// The whole `lab` command line as one CLI11 app: what run_cli parses, and what the man page and the bash
// completion are generated from at build time (labs/cli/docs/), so that neither can fall out of date.
#include <CLI/CLI.hpp>

namespace lab::labs {

inline constexpr const char* app_description =
    "lab: a socket lab that shows what TCP and UDP really put on the wire, and explains it.";

// Adds every subcommand, in its group, with its options and its run function, plus --version.
void add_commands(CLI::App& app);

}  // namespace lab::labs
