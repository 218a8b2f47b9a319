#pragma once
// What the subcommands share: exit codes, number checks, the option groups several commands take (--format and
// its kin, the wire's faults), and how a subcommand's run is bound to it. CLI11 stays inside labs/cli/.
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "capture/flow/wireshark_rules.hpp"
#include "labs/echo_lab.hpp"
#include "labs/net/fault_plan.hpp"

namespace lab::labs::cli {

// Exit codes: 0 success, 1 the lab or a file failed, 2 a usage error, 3 the environment (isolation or
// capture privileges) does not allow the run.
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int exit_environment = 3;

// A number within [min, max], checked on the text as typed: "abc" is not a number, "70000" is out of range, and
// each says so (CLI11's Range says "not in range" for both).
CLI::Validator number_in(double min, double max);

// --format, --color and --absolute: every command that prints a timeline has them. Choices are words checked
// against their lists at parse time, so a wrong value gets CLI11's plain "--format: xml not in {text,json}".
struct OutputFlags {
  std::string format = "text";
  std::string color = "auto";
  bool absolute = false;
  std::string wireshark = lab::flow::wireshark_rules_name(lab::flow::default_wireshark_rules);

  void add_to(CLI::App& app);
  // Copies the choices into a command's options (each has format, color and absolute).
  template <typename Options>
  Options applied_to(Options o) const {
    o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
    o.color = color == "always" ? ColorMode::always : color == "never" ? ColorMode::never : ColorMode::automatic;
    o.absolute = absolute;
    o.wireshark_rules = *lab::flow::parse_wireshark_rules(wireshark);  // checked at parse
    return o;
  }
};

// --drop, --loss, --seed, --delay: the lab's wire between two hosts (labs/net/wire.hpp).
struct FaultFlags {
  std::vector<std::string> drops;
  FaultOptions faults;

  void add_to(CLI::App& app);
  FaultOptions resolved() const;
};

// --topology and --mtu, which every built-in lab takes: where its two sides run.
struct TopologyFlags {
  std::string topology = "loopback";
  int mtu = 0;

  void add_to(CLI::App& app);
  bool two_hosts() const { return topology == "two-hosts"; }
};
// Empty, or the one line saying why these cannot be combined with IPv6 (the classroom network is IPv4).
std::string topology_problem(bool two_hosts, int mtu, bool ipv6);

// Makes `run` the subcommand's callback, called once the whole command line has parsed: an environment error
// becomes its one line and exit code, and a non-zero exit code reaches run_cli as CLI::RuntimeError.
void bind_run(CLI::App& command, std::function<int()> run);

// The one line for a first word that is no command (CLI11 would only say a command is required); empty when
// `word` names one of app's subcommands.
std::string not_a_command(const CLI::App& app, const std::string& word);

}  // namespace lab::labs::cli
