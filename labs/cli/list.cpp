#include "labs/cli/list.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "labs/cli/common.hpp"

namespace lab::labs::cli {

void setup_list(CLI::App& app) {
  auto* sub = app.add_subcommand("list", "Every lab and command, one line each, grouped");
  const CLI::App* whole = &app;
  bind_run(*sub, [whole] { return run_list(*whole); });
}

int run_list(const CLI::App& app) {
  // Read from the commands themselves, so the list is never out of date: their names, groups and descriptions.
  const auto commands = app.get_subcommands([](const CLI::App*) { return true; });
  std::size_t width = 0;
  for (const CLI::App* c : commands) width = std::max(width, c->get_name().size());
  bool first = true;
  for (const char* group : {group_labs, group_tools, group_classroom}) {
    std::string block;
    for (const CLI::App* c : commands) {
      if (c->get_group() != group) continue;
      block += "  lab " + c->get_name() + std::string(width - c->get_name().size() + 2, ' ') + c->get_description() + "\n";
    }
    if (block.empty()) continue;
    std::printf("%s%s:\n%s", first ? "" : "\n", group, block.c_str());
    first = false;
  }
  std::printf("\nEach has --help, with examples.\n");
  return 0;
}

}  // namespace lab::labs::cli
