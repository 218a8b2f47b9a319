// Feeds every frame of a fuzz input through decode -> track -> annotate -> render, then the summary, and
// checks what a consumer of the output relies on: JSON lines are one object per line, with no raw control
// character and valid UTF-8 (a JSON parser rejects anything else).
#include "tests/fuzz/explain_input.hpp"

#include <string_view>

#include "capture/render/json_renderer.hpp"
#include "capture/render/text_renderer.hpp"
#include "capture/timeline/explainer.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace lab::fuzz {
namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not a valid one (RFC 3629).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// What a JSON lines consumer needs from one chunk of output; an empty string if it holds.
std::string check_json_lines(std::string_view chunk) {
  std::size_t start = 0;
  while (start < chunk.size()) {
    const std::size_t end = chunk.find('\n', start);
    if (end == std::string_view::npos) return "JSON output chunk does not end with a newline";
    const std::string_view line = chunk.substr(start, end - start);
    if (line.size() < 2 || line.front() != '{' || line.back() != '}')
      return "JSON line is not one object: " + std::string(line.substr(0, 200));
    for (std::size_t i = 0; i < line.size();) {
      if (static_cast<unsigned char>(line[i]) < 0x20)
        return "raw control character in a JSON line: " + std::string(line.substr(0, 200));
      const std::size_t n = utf8_sequence(line, i);
      if (n == 0) return "invalid UTF-8 in a JSON line at byte " + std::to_string(i);
      i += n;
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

ExplainResult explain_input(std::span<const std::uint8_t> input) {
  const FuzzInput parsed = parse_fuzz_input(input);
  ExplainResult result;

  lab::render::JsonRenderer json;
  lab::render::TextRenderer text({.annotate = true, .absolute = parsed.settings.absolute});
  lab::render::Renderer& renderer = parsed.settings.text ? static_cast<lab::render::Renderer&>(text) : json;
  const bool check_json = !parsed.settings.text;

  lab::timeline::Explainer explainer(renderer, {.absolute = parsed.settings.absolute}, [&](std::string_view chunk) {
    result.output_bytes += chunk.size();
    if (check_json && result.violation.empty()) result.violation = check_json_lines(chunk);
  });
  for (unsigned r = 0; r < parsed.settings.repeat; ++r) {
    for (const lab::decode::Frame& frame : parsed.frames) {
      if (result.frames == max_packets) break;
      lab::decode::Frame shifted = frame;
      // Each repeat continues the timeline one second later, as a longer capture would.
      shifted.time_ns += std::int64_t{r} * 1'000'000'000;
      explainer.packet(shifted);
      ++result.frames;
    }
  }
  explainer.finish();
  return result;
}

}  // namespace lab::fuzz
