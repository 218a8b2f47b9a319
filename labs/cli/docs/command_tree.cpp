#include "labs/cli/docs/command_tree.hpp"

namespace lab::labs::docs {

namespace {

void add_children(const CLI::App& app, const std::string& prefix, std::vector<Command>& out) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string path = prefix.empty() ? sub->get_name() : prefix + " " + sub->get_name();
    out.push_back({path, sub});
    add_children(*sub, path, out);
  }
}

}  // namespace

std::vector<Command> command_tree(const CLI::App& app) {
  std::vector<Command> out;
  add_children(app, "", out);
  return out;
}

std::vector<const CLI::Option*> visible_options(const CLI::App& app, bool positional) {
  return app.get_options([positional](const CLI::Option* o) {
    return !o->get_group().empty() && o->get_positional() == positional && (positional || o->nonpositional());
  });
}

std::vector<std::string> option_choices(const CLI::Option& option) {
  // CLI11 appends a check's description to the type name: "TEXT:{text,json}".
  const std::string type = option.get_type_name();
  const auto open = type.find(":{");
  const auto close = type.find('}', open == std::string::npos ? 0 : open);
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string word;
  for (std::size_t i = open + 2; i <= close; ++i) {
    if (type[i] == ',' || type[i] == '}') {
      if (!word.empty()) out.push_back(word);
      word.clear();
    } else if (type[i] != ' ') {
      word += type[i];
    }
  }
  return out;
}

bool takes_file(const CLI::Option& option) {
  const std::string type = option.get_type_name() + " " + option.get_name(true, false);  // "FILE TEXT"
  for (const char* word : {"FILE", "PATH", "DIR"})
    if (type.find(word) != std::string::npos) return true;
  return false;
}

}  // namespace lab::labs::docs
