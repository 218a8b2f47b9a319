#pragma once
// `lab capture`: the same annotated timeline for live traffic of any program — a Python echo script, nc, a
// browser. Either on one of the machine's interfaces (capture rights needed), or around a command that lab
// starts in its own private network namespace (no rights needed: `lab capture -- python3 server.py`).
#include <cstdint>
#include <string>
#include <vector>

#include "capture/flow/wireshark_rules.hpp"
#include "labs/echo_lab.hpp"

namespace lab::labs {

struct CaptureOptions {
  std::string interface = "lo";
  std::string filter;
  bool list_interfaces = false;
  std::string write_path;
  std::uint64_t max_packets = 0;  // 0: no limit
  double max_seconds = 0;         // 0: no limit
  std::vector<std::string> command;  // run this in a private namespace and capture its loopback traffic
  OutputFormat format = OutputFormat::text;
  bool absolute = false;
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;  // whose TCP analysis
  ColorMode color = ColorMode::automatic;
};

// Captures until the packet or time limit, until the command exits, or until Ctrl-C; then the summary.
// Returns 0, or the command's exit status when a command was run.
int run_capture(const CaptureOptions& options);

}  // namespace lab::labs
