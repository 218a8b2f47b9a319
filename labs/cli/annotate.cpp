#include "labs/cli/annotate.hpp"

#include <memory>

namespace lab::labs::cli {

void setup_annotate(CLI::App& app) {
  auto flags = std::make_shared<AnnotateFlags>();
  auto* sub = app.add_subcommand("annotate", "Explain every packet of a capture file made elsewhere (pcap, pcapng)");
  AnnotateFileOptions& o = flags->options;
  sub->add_option("FILE", o.path, "A pcap or pcapng file (from tcpdump -w, tshark -w, Wireshark, lab --write)")
      ->required();
  sub->add_option("--filter", o.filter, "Only packets matching this BPF filter, as tcpdump takes it")
      ->type_name("EXPR");
  flags->output.add_to(*sub);
  sub->footer("Examples:\n  lab annotate capture.pcap\n  lab annotate capture.pcapng --filter \"tcp port 80\"\n"
              "  lab annotate capture.pcap --format json > timeline.jsonl");
  bind_run(*sub, [flags] { return run_annotate(*flags); });
}

int run_annotate(const AnnotateFlags& flags) { return lab::labs::run_annotate_file(flags.resolved()); }

}  // namespace lab::labs::cli
