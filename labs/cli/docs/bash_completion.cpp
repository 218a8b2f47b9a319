#include "labs/cli/docs/bash_completion.hpp"

#include <string>
#include <vector>

#include "labs/cli/docs/command_tree.hpp"
#include "labs/net/fault_plan.hpp"

namespace lab::labs::docs {

namespace {

using lab::labs::PacketKind;
using lab::labs::packet_kind_name;

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

// An option's spellings as typed: --bind and -b.
std::vector<std::string> spellings(const CLI::Option& option) {
  std::vector<std::string> out;
  for (const std::string& l : option.get_lnames()) out.push_back("--" + l);
  for (const std::string& s : option.get_snames()) out.push_back("-" + s);
  return out;
}

// The loop's arms that notice a positional's choice already typed ("server tcp"), so it is not offered again.
std::string given_arms(const std::vector<Command>& commands) {
  std::string patterns;
  for (const Command& c : commands)
    for (const CLI::Option* p : visible_options(*c.app, true))
      for (const std::string& choice : option_choices(*p)) patterns += (patterns.empty() ? "" : "|") + ("\"" + c.path + "|" + choice + "\"");
  return patterns.empty() ? "" : "      " + patterns + ") given=1 ;;\n";
}

// Words that complete at a command: its subcommands and its positionals' choices; its options apart.
struct Words {
  std::vector<std::string> commands;
  std::vector<std::string> options;
  bool file_positional = false;
};

Words words_of(const CLI::App& app) {
  Words w;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) w.commands.push_back(sub->get_name());
  for (const CLI::Option* p : visible_options(app, true)) {
    for (const std::string& choice : option_choices(*p)) w.commands.push_back(choice);
    // A file, or a free word such as exec's program: bash's own (file name) completion serves it best.
    w.file_positional = w.file_positional || takes_file(*p) || option_choices(*p).empty();
  }
  for (const CLI::Option* o : visible_options(app, false)) {
    const auto names = spellings(*o);
    if (!names.empty()) w.options.push_back(names.front());
  }
  return w;
}

// The case arms for values: "path|--format") the choices; a file: nothing, so bash falls back to file names.
void value_arms(const std::string& path, const CLI::App& app, std::string& out) {
  for (const CLI::Option* o : visible_options(app, false)) {
    if (o->get_items_expected_max() == 0) continue;  // a flag takes no value
    auto choices = option_choices(*o);
    // --drop's kinds are checked by parse_drop_rule, not by a CLI11 list: name them from the same table.
    if (choices.empty() && o->get_name() == "--drop")
      for (auto kind : {PacketKind::syn, PacketKind::syn_ack, PacketKind::ack, PacketKind::request, PacketKind::reply,
                        PacketKind::fin})
        choices.emplace_back(packet_kind_name(kind));
    std::string patterns;
    for (const std::string& name : spellings(*o)) patterns += (patterns.empty() ? "" : "|") + ("\"" + path + "|" + name + "\"");
    if (!choices.empty())
      out += "    " + patterns + ") COMPREPLY=($(compgen -W \"" + joined(choices) + "\" -- \"$cur\")); return 0 ;;\n";
    else
      out += "    " + patterns + (takes_file(*o) ? ") return 0 ;;  # a file name\n"
                                               : ") compopt +o default 2>/dev/null; return 0 ;;  # a value of the user's\n");
  }
}

}  // namespace

std::string bash_completion(const CLI::App& app) {
  const auto commands = command_tree(app);
  std::string paths;
  for (const Command& c : commands) paths += (paths.empty() ? "" : "|") + ("\"" + c.path + "\"");

  std::string out =
      "# bash completion for lab(1). Generated from lab's command line by lab-docs (labs/cli/docs/): edit the\n"
      "# commands, not this file.\n"
      "_lab() {\n"
      "  local cur=${COMP_WORDS[COMP_CWORD]} prev= path= word i given=\n"
      "  (( COMP_CWORD > 1 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
      "  # --format=<TAB>: bash splits the word at '=', so the option is one word further back.\n"
      "  if [[ $cur == = ]]; then cur=; elif [[ $prev == = ]] && (( COMP_CWORD > 2 )); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
      "  COMPREPLY=()\n"
      "  # The command so far: the words before the cursor that name commands (\"net up\"), and whether a positional's\n"
      "  # choice was typed already.\n"
      "  for (( i = 1; i < COMP_CWORD; i++ )); do\n"
      "    word=${COMP_WORDS[i]}\n"
      "    [[ $word == -- ]] && return 0  # after --, a program's own arguments (lab net exec): file names\n"
      "    case \"${path:+$path }$word\" in\n"
      "      " + paths + ") path=\"${path:+$path }$word\"; continue ;;\n"
      "    esac\n"
      "    case \"$path|$word\" in\n" + given_arms(commands) + "    esac\n"
      "  done\n"
      "  # The value of the option before the cursor.\n"
      "  case \"$path|$prev\" in\n";
  for (const Command& c : commands) value_arms(c.path, *c.app, out);
  value_arms("", app, out);
  out += "  esac\n"
         "  local commands= options= files=\n"
         "  case \"$path\" in\n";
  const auto arm = [&out](const std::string& path, const Words& w) {
    out += "    \"" + path + "\") commands=\"" + joined(w.commands) + "\" options=\"" + joined(w.options) + "\"" +
           (w.file_positional ? " files=1" : "") + " ;;\n";
  };
  arm("", words_of(app));
  for (const Command& c : commands) arm(c.path, words_of(*c.app));
  out += "  esac\n"
         "  if [[ $cur == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
         "  elif [[ -n $commands && -z $given ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))\n"
         "  elif [[ -z $files ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
         "  fi  # else nothing: bash completes file names (complete -o default)\n"
         "  return 0\n"
         "}\n"
         "complete -o default -F _lab lab\n";
  return out;
}

}  // namespace lab::labs::docs
