#pragma once
// How the output reaches the student's terminal.
#include <cstdio>
#include <string_view>

#include "labs/echo_lab.hpp"

namespace lab::labs {

// --color auto: colours only on a terminal, and never when NO_COLOR is set (https://no-color.org) or
// TERM is "dumb". always/never are what they say.
bool use_color(ColorMode mode, std::FILE* stream);

// The width to wrap the text at: the terminal's (if `stream` is one), else $COLUMNS, else 80; never more than 100,
// which is as long as a line reads well, nor less than 40.
int output_width(std::FILE* stream);
// The same rule, for a terminal width already known (0: none) and $COLUMNS's text (nullptr: unset).
int choose_width(int terminal_columns, const char* columns_variable);

// Writes all of `text` to stdout; throws std::runtime_error if stdout is gone (closed pipe, full disk).
void write_stdout(std::string_view text);

}  // namespace lab::labs
