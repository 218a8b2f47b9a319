#pragma once
// A bash completion for lab, written from the command line itself: the commands, each one's options, the values
// of options that take a word from a list (--format text|json), file names where a file is asked for.
#include <CLI/CLI.hpp>
#include <string>

namespace lab::labs::docs {

// A script for /usr/share/bash-completion/completions/lab (or `source` it): defines _lab and registers it.
std::string bash_completion(const CLI::App& app);

}  // namespace lab::labs::docs
