#include "labs/cli/capture.hpp"

#include <memory>

namespace lab::labs::cli {

void setup_capture(CLI::App& app) {
  auto flags = std::make_shared<CaptureFlags>();
  auto* sub = app.add_subcommand("capture", "Explain live traffic of any program (or of a command lab runs)");
  CaptureOptions& o = flags->options;
  sub->add_option("--interface,-i", o.interface, "The interface to capture on (default lo; see --list-interfaces)");
  sub->add_flag("--list-interfaces,-D", o.list_interfaces, "List the interfaces and exit (like tshark -D)");
  sub->add_option("--filter", o.filter, "Only packets matching this BPF filter, as tcpdump takes it")->type_name("EXPR");
  sub->add_option("--write,-w", o.write_path, "Also write the packets to a pcap file")->type_name("FILE");
  sub->add_option("--count,-c", o.max_packets, "Stop after this many packets")->check(number_in(1, 1'000'000'000));
  sub->add_option("--duration", o.max_seconds, "Stop after this many seconds")->check(number_in(0.001, 86400.0));
  flags->output.add_to(*sub);
  sub->add_option("command", o.command,
                  "After --: a command to run in lab's private network namespace; its loopback traffic is "
                  "captured until it exits (no root needed)")
      ->type_name("COMMAND");
  sub->footer("Ctrl-C ends the capture and prints the summary.\nExamples:\n"
              "  lab capture -- python3 echo_server.py        (no root needed: runs it in a private namespace)\n"
              "  sudo lab capture --filter \"tcp port 8000\" --count 20\n"
              "  lab capture --list-interfaces");
  bind_run(*sub, [flags] { return run_capture(*flags); });
}

int run_capture(const CaptureFlags& flags) { return lab::labs::run_capture(flags.resolved()); }

}  // namespace lab::labs::cli
