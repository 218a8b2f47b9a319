#pragma once
// lab(1), written from the command line itself: each command's description, usage, options (as --help shows
// them) and examples, grouped as `lab list` groups them. Built at build time, so it cannot fall out of date.
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

namespace lab::labs::docs {

// Text made safe for roff: backslashes and dashes escaped, no line starting with a control character.
std::string roff_escape(std::string_view text);

// The whole page in man(7) macros, for an app that add_commands() filled.
std::string man_page(const CLI::App& app, std::string_view version);

}  // namespace lab::labs::docs
