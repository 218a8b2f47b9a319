#include "labs/terminal.hpp"

#include <pty.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

TEST_CASE("the text width: the terminal's, else COLUMNS, else 80; never over 100 nor under 40") {
  using lab::labs::choose_width;
  CHECK(choose_width(120, nullptr) == 100);
  CHECK(choose_width(72, "200") == 72);  // the terminal wins
  CHECK(choose_width(0, "90") == 90);
  CHECK(choose_width(0, "500") == 100);
  CHECK(choose_width(0, "20") == 40);
  CHECK(choose_width(0, "abc") == 80);
  CHECK(choose_width(0, "") == 80);
  CHECK(choose_width(0, nullptr) == 80);
}

// --color auto on a terminal (a pseudo-terminal made here): colours, unless NO_COLOR is set (to anything but
// nothing) or TERM is dumb; never on a pipe; always and never regardless.
TEST_CASE("colours: auto on a terminal unless NO_COLOR or a dumb TERM; never on a pipe; always and never as said") {
  using lab::labs::ColorMode;
  using lab::labs::use_color;
  int controller = -1, terminal = -1;
  if (openpty(&controller, &terminal, nullptr, nullptr, nullptr) != 0) {
    LAB_SKIP("no pseudo-terminal here (openpty failed)");
  }
  std::FILE* tty = fdopen(terminal, "w");
  REQUIRE(tty != nullptr);
  int pipe_ends[2];
  REQUIRE(pipe(pipe_ends) == 0);
  std::FILE* piped = fdopen(pipe_ends[1], "w");
  REQUIRE(piped != nullptr);
  const char* saved_no_color = std::getenv("NO_COLOR");
  const char* saved_term = std::getenv("TERM");
  const std::string no_color_was = saved_no_color ? saved_no_color : "", term_was = saved_term ? saved_term : "";
  unsetenv("NO_COLOR");
  setenv("TERM", "xterm-256color", 1);
  CHECK(use_color(ColorMode::automatic, tty));
  CHECK_FALSE(use_color(ColorMode::automatic, piped));
  CHECK(use_color(ColorMode::always, piped));
  CHECK_FALSE(use_color(ColorMode::never, tty));
  setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(use_color(ColorMode::automatic, tty));
  CHECK(use_color(ColorMode::always, tty));  // an explicit --color always wins over NO_COLOR
  setenv("NO_COLOR", "", 1);                 // set but empty: no-color.org says it does not count
  CHECK(use_color(ColorMode::automatic, tty));
  setenv("TERM", "dumb", 1);
  CHECK_FALSE(use_color(ColorMode::automatic, tty));
  if (saved_no_color) setenv("NO_COLOR", no_color_was.c_str(), 1);
  else unsetenv("NO_COLOR");
  if (saved_term) setenv("TERM", term_was.c_str(), 1);
  else unsetenv("TERM");
  std::fclose(tty);
  std::fclose(piped);
  close(pipe_ends[0]);
  close(controller);
}
