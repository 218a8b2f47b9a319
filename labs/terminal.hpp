#pragma once
// How the output reaches the student's terminal.
#include <cstdio>
#include <string_view>

#include "labs/echo_lab.hpp"

namespace lab::labs {

// --color auto: colours only on a terminal, and never when NO_COLOR is set (https://no-color.org) or
// TERM is "dumb". always/never are what they say.
bool use_color(ColorMode mode, std::FILE* stream);

// Writes all of `text` to stdout; throws std::runtime_error if stdout is gone (closed pipe, full disk).
void write_stdout(std::string_view text);

}  // namespace lab::labs
