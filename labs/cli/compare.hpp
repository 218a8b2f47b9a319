#pragma once
// lab compare: the same messages and faults over TCP and UDP, side by side (labs/compare_lab.hpp).
#include <CLI/CLI.hpp>

#include "labs/cli/common.hpp"
#include "labs/compare_lab.hpp"

namespace lab::labs::cli {

struct CompareFlags {
  CompareOptions options;
  OutputFlags output;
  FaultFlags faults;
  TopologyFlags topology;
  CompareOptions resolved() const {
    CompareOptions o = output.applied_to(options);
    o.faults = faults.resolved();
    o.two_hosts = topology.two_hosts();
    o.mtu = topology.mtu;
    return o;
  }
};

// Adds the compare subcommand to app, its options, and run_compare as what it does.
void setup_compare(CLI::App& app);
int run_compare(const CompareFlags& flags);

}  // namespace lab::labs::cli
