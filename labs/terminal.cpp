#include "labs/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace lab::labs {

bool use_color(ColorMode mode, std::FILE* stream) {
  if (mode == ColorMode::always) return true;
  if (mode == ColorMode::never) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return isatty(fileno(stream)) == 1;
}

int choose_width(int terminal_columns, const char* columns_variable) {
  constexpr int most = 100, least = 40, otherwise = 80;
  int width = terminal_columns;
  if (width <= 0 && columns_variable && *columns_variable) {
    char* end = nullptr;
    const long parsed = std::strtol(columns_variable, &end, 10);
    if (end && *end == '\0' && parsed > 0 && parsed < 10000) width = static_cast<int>(parsed);
  }
  if (width <= 0) width = otherwise;
  return width > most ? most : width < least ? least : width;
}

int output_width(std::FILE* stream) {
  winsize size{};
  const int columns = ioctl(fileno(stream), TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
  return choose_width(columns, std::getenv("COLUMNS"));
}

void write_stdout(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    throw std::runtime_error(std::string("cannot write the output: ") + std::strerror(errno));
  }
}

}  // namespace lab::labs
