#include "labs/cli/docs/man_page.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "labs/cli/common.hpp"
#include "labs/cli/docs/command_tree.hpp"

namespace lab::labs::docs {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

// Each line as it is (examples are laid out by hand): no filling, no adjusting.
std::string preformatted(const std::string& text) {
  return ".PP\n.nf\n" + roff_escape(text) + "\n.fi\n";
}

// An option as --help names it ("-b,--bind ADDR"), then what it does.
std::string option_entry(const CLI::Formatter& help, const CLI::Option& option, bool positional) {
  std::string names = help.make_option_name(&option, positional) + help.make_option_opts(&option);
  while (!names.empty() && names.front() == ' ') names.erase(0, 1);
  return ".TP\n.B " + roff_escape(names) + "\n" + roff_escape(option.get_description()) + "\n";
}

std::string command_section(const CLI::Formatter& help, const Command& command) {
  const CLI::App& app = *command.app;
  std::string out = ".SS \"lab " + roff_escape(command.path) + "\"\n" + roff_escape(app.get_description()) + "\n";
  std::string usage = help.make_usage(&app, "lab " + command.path);
  if (const auto at = usage.find("Usage: "); at != std::string::npos) usage.erase(at, 7);
  while (!usage.empty() && usage.back() == '\n') usage.pop_back();
  while (!usage.empty() && usage.front() == '\n') usage.erase(0, 1);
  out += ".PP\n.B " + roff_escape(usage) + "\n";
  for (bool positional : {true, false}) {
    for (const CLI::Option* option : visible_options(app, positional)) {
      if (option->get_name() == "--help") continue;  // every command has it; said once, under OPTIONS
      out += option_entry(help, *option, positional);
    }
  }
  // A subcommand inherits its parent's footer; the page says it once, under the parent.
  const CLI::App* parent = app.get_parent();
  if (!app.get_footer().empty() && (parent == nullptr || parent->get_footer() != app.get_footer()))
    out += preformatted(app.get_footer());
  return out;
}

}  // namespace

std::string roff_escape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string man_page(const CLI::App& app, std::string_view version) {
  const CLI::Formatter help;
  std::string out;
  out += ".\\\" Generated from lab's command line by lab-docs (labs/cli/docs/): edit the commands, not this page.\n";
  out += ".TH LAB 1 \"\" \"lab " + std::string(version) + "\" \"lab manual\"\n";
  std::string description = app.get_description();
  if (description.starts_with("lab: ")) description.erase(0, 5);
  if (description.ends_with('.')) description.pop_back();
  out += ".SH NAME\nlab \\- " + roff_escape(description) + "\n";
  out += ".SH SYNOPSIS\n.B lab\n.I command\n[\\fIoptions\\fR]\n.br\n.B lab \\-\\-help\n.br\n.B lab \\-\\-version\n";
  out += ".SH DESCRIPTION\n" + roff_escape(app.get_description()) + "\n";
  out += ".PP\nEach command below also prints its own help with \\fBlab\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR.\n";
  out += ".SH OPTIONS\n";
  for (const CLI::Option* option : visible_options(app, false)) out += option_entry(help, *option, false);
  if (!app.get_footer().empty()) out += preformatted(app.get_footer());

  // One section per group, in the order the commands were added (as lab list shows them).
  const auto commands = command_tree(app);
  std::vector<std::string> groups;
  for (const Command& c : commands)
    if (c.path.find(' ') == std::string::npos && std::find(groups.begin(), groups.end(), c.app->get_group()) == groups.end())
      groups.push_back(c.app->get_group());
  for (const std::string& group : groups) {
    out += ".SH " + roff_escape(upper(group)) + "\n";
    for (const Command& c : commands) {
      const std::string top = c.path.substr(0, c.path.find(' '));
      const CLI::App* top_app = nullptr;
      for (const Command& t : commands)
        if (t.path == top) top_app = t.app;
      if (top_app != nullptr && top_app->get_group() == group) out += command_section(help, c);
    }
  }

  out += ".SH EXIT STATUS\n";
  out += fmt::format(".TP\n.B 0\nSuccess.\n.TP\n.B {}\nThe lab or a file failed.\n.TP\n.B {}\nA usage error.\n"
                     ".TP\n.B {}\nThe environment does not allow the run (isolation or capture privileges).\n",
                     cli::exit_failure, cli::exit_usage, cli::exit_environment);
  out += ".SH FILES\n.TP\n.I $XDG_RUNTIME_DIR/lab/\nThe standing classroom network's state, lock and wire socket "
         "(\\fBlab net\\fR); \\fI/tmp/lab\\-UID/\\fR where XDG_RUNTIME_DIR is unset or not the user's own.\n";
  out += ".SH SEE ALSO\n.BR tcpdump (8),\n.BR tshark (1),\n.BR wireshark (1),\n.BR nsenter (1),\n.BR ip\\-netns (8)\n";
  return out;
}

}  // namespace lab::labs::docs
