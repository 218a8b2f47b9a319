#pragma once
// The lab's JSON output is one object per line: parsed, in order, for tests to check fields rather than wording.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lab::test {

// One parsed JSON object per non-empty line (the last line may lack its newline).
inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

}  // namespace lab::test
