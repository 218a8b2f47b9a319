// The lessons in walkthroughs/ are executed: every `$ lab ...` command in a console block runs, and every
// `<!-- expect: TEXT -->` after the block must appear in its output. A lesson cannot promise what the
// program does not show.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"

namespace {

struct Step {
  std::string command;               // the line after "$ lab "
  std::vector<std::string> expects;  // texts its output must contain
};

// Splits a command line on spaces, keeping "quoted words" together (enough for the lessons' commands).
std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(word);
      word.clear();
      any = false;
    } else {
      word += c;
      any = true;
    }
  }
  if (any) words.push_back(word);
  return words;
}

std::vector<Step> steps_of(const std::filesystem::path& lesson) {
  std::ifstream in(lesson);
  std::vector<Step> steps;
  std::string line;
  bool in_console = false;
  while (std::getline(in, line)) {
    if (line.rfind("```console", 0) == 0) {
      in_console = true;
    } else if (line.rfind("```", 0) == 0) {
      in_console = false;
    } else if (in_console && line.rfind("$ lab ", 0) == 0) {
      steps.push_back({line.substr(6), {}});
    } else if (!steps.empty() && line.rfind("<!-- expect: ", 0) == 0 && line.size() > 17) {
      steps.back().expects.push_back(line.substr(13, line.size() - 13 - 4));
    }
  }
  return steps;
}

// The text is wrapped to the terminal's width: a promised phrase may be split over two lines. Runs of
// spaces and line breaks count as one space.
std::string collapse_spaces(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

}  // namespace

TEST_CASE("every walkthrough shows what it promises") {
  const std::filesystem::path dir = std::filesystem::path(LAB_SOURCE_DIR) / "walkthroughs";
  int lessons = 0, commands = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".md" || entry.path().filename() == "README.md") continue;
    ++lessons;
    for (const Step& step : steps_of(entry.path())) {
      ++commands;
      INFO(entry.path().filename().string() << ": lab " << step.command);
      const auto run = lab::test::run_lab(split_words(step.command));
      const std::string shown = collapse_spaces(run.out);
      INFO(run.err);
      CHECK(run.exit_code == 0);
      CHECK_FALSE(step.expects.empty());  // a command in a lesson must promise something
      for (const auto& expected : step.expects) {
        INFO("expected: " << expected);
        CHECK(shown.find(expected) != std::string::npos);
      }
    }
  }
  CHECK(lessons >= 4);
  CHECK(commands >= 4);
}
