#pragma once
// `lab net watch`: the standing classroom network's wire, explained live, as `lab capture` explains an interface.
// The holder (labs/net/standing_holder.hpp) hands it every frame its wire carries, with what the wire did (dropped,
// delayed) and what both hosts' kernels said; this runs them through the same timeline as every lab.
#include <cstdint>
#include <string>

#include "capture/flow/wireshark_rules.hpp"
#include "labs/echo_lab.hpp"

namespace lab::labs {

struct NetWatchOptions {
  std::string filter;             // BPF, as tcpdump takes it
  std::string write_path;         // also a pcap file
  std::uint64_t max_packets = 0;  // 0: no limit
  double max_seconds = 0;         // 0: no limit
  OutputFormat format = OutputFormat::text;
  bool absolute = false;
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;
  ColorMode color = ColorMode::automatic;
};

// Watches until the packet or time limit, until Ctrl-C, or until the network goes down; then the summary.
// Throws NetnsError when no network runs.
int run_net_watch(const NetWatchOptions& options);

}  // namespace lab::labs
