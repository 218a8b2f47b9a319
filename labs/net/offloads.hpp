#pragma once
// Turning off a network interface's offloads, as `ethtool -K NAME tso off gso off gro off tx off sg off` does.
// With them on, veth hands over 64 KB "super-frames" whose checksums are left for a NIC to fill in: a lab that
// reads frames off one interface and writes them to another would see, and re-send, frames no real wire carries.
#include <string>

namespace lab::labs {

// For the interface `name` in the calling thread's namespace. Throws NetnsError (one line) on failure.
void disable_offloads(const std::string& name);

}  // namespace lab::labs
