#include "capture/annotate/words.hpp"

#include <fmt/format.h>

namespace lab::annotate {

std::string duration_words(std::int64_t ns) {
  if (ns < 0) ns = 0;
  if (ns < 1'000) return fmt::format("{} ns", ns);
  if (ns < 1'000'000) return fmt::format("{} µs", (ns + 500) / 1'000);
  const double ms = static_cast<double>(ns) / 1e6;
  if (ns < 10'000'000) return fmt::format("{:.2f} ms", ms);
  if (ns < 100'000'000) return fmt::format("{:.1f} ms", ms);
  if (ns < 1'000'000'000) return fmt::format("{:.0f} ms", ms);
  return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

std::string count_words(std::uint64_t n, const char* singular, const char* plural) {
  return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

std::string capitalized(const char* word) {
  std::string s = word;
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace lab::annotate
