#pragma once
// Where a standing classroom network (lab net up) is found by the commands that join it. One per user: a lock
// file held by the holder process for as long as the network lives (the kernel lets go of it when the holder
// ends, however it ends), and a state file beside it that says which process holds the hosts and how to reach
// them. Both live in the user's own runtime directory ($XDG_RUNTIME_DIR/lab, else /tmp/lab-UID), mode 0700.
#include <sys/types.h>

#include <optional>
#include <string>

namespace lab::labs {

struct StandingState {
  pid_t holder = 0;                  // as this PID namespace sees it
  unsigned long long holder_start = 0;  // its start time (/proc/PID/stat field 22): a reused PID is not it
  int client_ns_fd = -1;             // the holder's descriptors of each host's network namespace
  int server_ns_fd = -1;
  std::string client_ip;
  std::string server_ip;
  int prefix = 0;
  int mtu = 0;
  std::string faults;                // as `lab net up` was given them, for lab net status ("" for none)
};

// The user's directory for these files, created if missing. Throws NetnsError when it exists but belongs to
// someone else or others may write it (another user could then plant a state file).
std::string standing_directory();
std::string standing_lock_path();
std::string standing_state_path();
std::string standing_feed_path();  // the holder's socket for lab net watch and lab net set

std::string format_state(const StandingState& state);
// Writes the state file whole, then renames it into place: a reader sees the old file or the new one, never half
// of one. Returns 0 or the errno.
int write_state_file(const StandingState& state);
// Empty when the text is not a state file this version wrote.
std::optional<StandingState> parse_state(const std::string& text);

// /proc/PID/stat's start time, 0 if the process is gone.
unsigned long long process_start_time(pid_t pid);

// The running network's state: the lock is held and the state file names a live holder. Empty when none runs
// (a state file left by a holder that was killed is removed).
std::optional<StandingState> running_network();

}  // namespace lab::labs
