#pragma once
// What the man page and the completion both read from a CLI11 app: its subcommands, depth first, each with
// its full name ("net up"), and each option's value choices when its type names them ("TEXT:{text,json}").
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace lab::labs::docs {

struct Command {
  std::string path;  // "tcp-echo", "net up"
  const CLI::App* app = nullptr;
};

// Every subcommand under `app`, parents before their children, in the order they were added.
std::vector<Command> command_tree(const CLI::App& app);

// The options --help lists (not the hidden ones), positionals apart.
std::vector<const CLI::Option*> visible_options(const CLI::App& app, bool positional);

// The values an option accepts when CLI11 checks them against a list ({text,json}); empty otherwise.
std::vector<std::string> option_choices(const CLI::Option& option);

// Whether the option's value names a file ("FILE", "PATH", "DIR", ...), so a shell should complete file names.
bool takes_file(const CLI::Option& option);

}  // namespace lab::labs::docs
