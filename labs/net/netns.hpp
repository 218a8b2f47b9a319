#pragma once
// Isolation: run the lab in a private network namespace with its own loopback, so its ports never clash
// with anything else and capturing there needs no privileges on the host.
#include <stdexcept>
#include <string>

namespace lab::labs {

class NetnsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;  // the message is one line that says what to do
};

// Move this process into a fresh network namespace and bring its loopback up. As root: unshare(CLONE_NEWNET).
// As a normal user: a user namespace too, mapping the user to root inside it (the way `unshare -rn` does),
// which gives the capabilities to capture there. Must be called while the process has a single thread.
// Throws NetnsError naming the cause (AppArmor's restriction on unprivileged user namespaces, a sysctl set to
// 0, seccomp in a container...) and the fix (the sysctl, sudo, or --netns host with capture rights).
// own_pids: a PID namespace too, for the children forked afterwards (the first is its pid 1: when it ends, the
// kernel ends every process in it, which is how a standing network leaves nothing behind).
void enter_private_network(bool own_pids = false);

}  // namespace lab::labs
