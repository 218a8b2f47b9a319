#pragma once
// How another terminal's command reaches a host of the standing network (lab net exec, shell, status), the way
// nsenter does: through the holder's /proc entries, join its user namespace (where this user is root, unless we
// are root already), its PID namespace (for the programs forked afterwards, so that they end with the network)
// and the host's network namespace.
#include <sys/types.h>

#include <string>
#include <vector>

#include "labs/net/standing_state.hpp"
#include "labs/net/two_hosts.hpp"

namespace lab::labs {

// Runs `argv` on the host with `environment` added ("NAME=value"), waits for it and returns its exit status
// (128 + N when signal N ended it). Ctrl-C goes to the program, not to us. Throws NetnsError when the host
// cannot be joined; a program that cannot be started is exit status 127 with one line on stderr.
// Call while single-threaded: joining a user namespace requires it.
int run_on_host(const StandingState& state, Host host, const std::vector<std::string>& argv,
                const std::vector<std::string>& environment);

struct HostProcess {
  pid_t pid = 0;            // as this PID namespace sees it
  std::string command;      // its command line, arguments separated by spaces
};
// The processes whose network namespace is the host's (found by the namespace's inode in /proc/*/ns/net).
std::vector<HostProcess> processes_on_host(const StandingState& state, Host host);

}  // namespace lab::labs
