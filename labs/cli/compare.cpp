#include "labs/cli/compare.hpp"

#include <cstdio>
#include <memory>

namespace lab::labs::cli {

void setup_compare(CLI::App& app) {
  auto flags = std::make_shared<CompareFlags>();
  auto* sub = app.add_subcommand("compare", "TCP and UDP side by side: packets, bytes, overhead, lost data");
  CompareOptions& o = flags->options;
  sub->add_option("--message,-m", o.messages, "A message to send (repeatable; default \"Hello?\")")->type_name("TEXT");
  sub->add_option("--size", o.size, "Send one message of this many bytes instead")
      ->check(number_in(1, 16 * 1024 * 1024))
      ->type_name("BYTES")
      ->excludes(sub->get_option("--message"));
  sub->add_option("--timeout", o.reply_timeout_ms, "How long the UDP client waits for each reply, in ms (default 1000)")
      ->check(number_in(1, 60000));
  sub->add_flag("--ipv6,-6", o.ipv6, "Run over IPv6");
  flags->faults.add_to(*sub);
  flags->topology.add_to(*sub);
  flags->output.add_to(*sub);
  sub->footer("Examples:\n  lab compare\n  lab compare --message Hi --message Bye\n"
              "  lab compare --drop reply          (TCP resends the lost echo; UDP's is gone)\n"
              "  lab compare --loss 30 --seed 4 --message A --message B --message C --format json");
  bind_run(*sub, [flags] { return run_compare(*flags); });
}

int run_compare(const CompareFlags& flags) {
  if (const std::string problem = topology_problem(flags.topology.two_hosts(), flags.topology.mtu, flags.options.ipv6);
      !problem.empty()) {
    std::fputs(problem.c_str(), stderr);
    return exit_usage;
  }
  return lab::labs::run_compare(flags.resolved());
}

}  // namespace lab::labs::cli
