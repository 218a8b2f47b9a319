// Every fuzz input kept in the repository replays through the same entry point as the fuzzer
// (explain_input), in the normal build: tests/fuzz/regressions/ holds each input that once crashed or broke
// an output invariant, tests/fuzz/seeds/ the hand-made seeds.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "tests/fuzz/explain_input.hpp"
#include "tests/support/catch.hpp"

namespace {

std::vector<std::filesystem::path> inputs_in(const char* folder) {
  std::vector<std::filesystem::path> files;
  const std::filesystem::path dir = std::filesystem::path(LAB_SOURCE_DIR) / "tests/fuzz" / folder;
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::filesystem::path& file) {
  INFO("input " << file.filename().string());
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const lab::fuzz::ExplainResult result = lab::fuzz::explain_input(bytes);
  CHECK(result.violation.empty());
  CHECK(result.output_bytes > 0);  // at least the summary
}

}  // namespace

TEST_CASE("fuzz regressions replay cleanly") {
  for (const auto& file : inputs_in("regressions")) replay(file);
}

TEST_CASE("fuzz seeds replay cleanly") {
  const auto files = inputs_in("seeds");
  REQUIRE(!files.empty());
  for (const auto& file : files) replay(file);
}
