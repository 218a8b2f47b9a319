#pragma once
// lab net: the classroom network that stays up (labs/net/standing_holder.hpp) and the commands that use it
// from any terminal: up, down, exec, shell, status.
#include <CLI/CLI.hpp>

namespace lab::labs::cli {

void setup_net(CLI::App& app);

}  // namespace lab::labs::cli
