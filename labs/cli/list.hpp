#pragma once
// lab list: every lab and command, one line each, in its group (the groups --help shows too).
#include <CLI/CLI.hpp>

namespace lab::labs::cli {

// The groups, in the order they are listed. Each subcommand is put in one by run_cli.
inline constexpr const char* group_labs = "Labs";
inline constexpr const char* group_tools = "Tools";
inline constexpr const char* group_classroom = "Classroom";

// Adds the list subcommand; it lists `app`'s subcommands as they are when it runs.
void setup_list(CLI::App& app);
int run_list(const CLI::App& app);

}  // namespace lab::labs::cli
