#pragma once
// lab net up / down: a classroom network that stays up after the command returns. A small background process,
// the holder, makes the two hosts (labs/net/two_hosts.hpp) in a user, network and PID namespace of its own and
// carries their frames across the lab's wire (with its faults) until it is told to stop. It is pid 1 of that PID
// namespace, and every program started on a host (lab net exec) joins the namespace: when the holder ends, by
// lab net down or by any signal, the kernel ends them all and the namespaces vanish with the last of them.
#include "labs/net/fault_plan.hpp"
#include "labs/net/standing_state.hpp"
#include "labs/net/two_hosts.hpp"

namespace lab::labs {

struct StandingOptions {
  HostsConfig hosts = HostsConfig::classroom();
  FaultOptions faults;
  std::string faults_text;  // the faults as typed, for lab net status
};

// Starts the holder and returns once both hosts are up and the state file is written. Throws NetnsError (one
// line) when a network is already running for this user, when the namespaces are refused, or when a host
// cannot be made.
StandingState start_standing_network(const StandingOptions& options);

// Ends the holder (SIGTERM; SIGKILL if it has not ended within a few seconds) and removes the state file.
// False if it could not be ended.
bool stop_standing_network(const StandingState& state);

}  // namespace lab::labs
