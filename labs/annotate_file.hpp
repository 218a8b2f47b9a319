#pragma once
// `lab annotate FILE`: the same annotated timeline as the labs, for any capture (pcap or pcapng) made
// elsewhere — by tcpdump, tshark, Wireshark, a classmate's laptop.
#include <string>

#include "capture/flow/wireshark_rules.hpp"

#include "labs/echo_lab.hpp"

namespace lab::labs {

struct AnnotateFileOptions {
  std::string path;
  std::string filter;                        // BPF, as tcpdump takes it
  OutputFormat format = OutputFormat::text;
  bool absolute = false;
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;  // whose TCP analysis
  ColorMode color = ColorMode::automatic;
};

// Prints the timeline and the summary. A file cut short or corrupt part-way: every complete record is
// explained first, then the error is thrown (one line for the student).
int run_annotate_file(const AnnotateFileOptions& options);

}  // namespace lab::labs
