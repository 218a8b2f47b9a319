#pragma once
// `lab compare`: the same messages over TCP and over UDP (and the same faults, when given), side by side in
// one table: packets, bytes on the wire, header overhead, time to first reply, the packets spent on the
// handshake and the teardown, and what became of lost data. The lesson of the first two labs in one screen.
#include <cstddef>
#include <string>
#include <vector>

#include "capture/flow/wireshark_rules.hpp"
#include "labs/echo_lab.hpp"
#include "labs/net/fault_plan.hpp"

namespace lab::labs {

struct CompareOptions {
  std::vector<std::string> messages;  // empty: {"Hello?"}
  std::size_t size = 0;               // --size: one generated message of this many bytes instead
  FaultOptions faults;
  OutputFormat format = OutputFormat::text;
  ColorMode color = ColorMode::automatic;
  bool absolute = false;              // unused: every output command takes the same flags
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;  // whose TCP analysis
  int reply_timeout_ms = 1000;        // how long the UDP client waits for each reply
  bool ipv6 = false;
  bool two_hosts = false;             // --topology two-hosts: the classroom network's hosts, with ARP
  int mtu = 0;                        // --mtu: the hosts' MTU (0: 1500)

  // Faults, --topology two-hosts, --mtu and --size run both exchanges between two hosts on the lab's wire (the
  // loopback carries 64 kB packets, so neither segments nor fragments would show).
  bool uses_wire() const { return faults.any() || two_hosts || mtu > 0 || size > 0; }
};

// Runs both exchanges in a private namespace (two hosts joined by the lab's wire when faults are given) and
// prints the table. Returns the exit code.
int run_compare(const CompareOptions& options);

}  // namespace lab::labs
