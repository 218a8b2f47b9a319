#pragma once
// A whole echo exchange across the lab's wire, run in a forked child so that the test process's own namespaces
// are never touched: the child enters a private namespace (as root, or first dropped to nobody), builds the two
// hosts, connects a client in one to a server in the other, drives the Wire with poll() and sends back every
// frame it carried. Every wait is bounded.
#include <cstdint>
#include <string>
#include <vector>

#include "labs/net/fault_plan.hpp"
#include "labs/net/kernel_counters.hpp"
#include "labs/net/wire.hpp"

namespace lab::labs::testing {

struct ExchangeOptions {
  bool ipv6 = false;
  bool as_nobody = false;           // drop to uid/gid 65534 before entering the namespace (when run as root)
  FaultOptions faults;
  std::size_t message_size = 6;     // bytes the client sends and expects back
};

struct RecordedFrame {
  std::int64_t time_ns = 0;
  bool dropped = false;
  lab::decode::SendTrigger trigger = lab::decode::SendTrigger::unknown;
  std::uint32_t wire_len = 0;
  std::vector<std::uint8_t> bytes;
};

struct ExchangeResult {
  std::string error;                 // empty when the child ran the exchange to its end
  std::vector<RecordedFrame> frames; // in the order the wire carried them
  std::uint64_t reply_bytes = 0;     // what came back to the client
  bool reply_matches = false;        // ... and it equals what was sent
  std::int64_t connect_ns = 0;       // connect() until the client saw the connection open (CLOCK_MONOTONIC)
  TcpCounters client_counters;       // each host's counters at the end, read from the lab's namespace
  TcpCounters server_counters;
  Wire::Stats stats;
};

ExchangeResult run_exchange_in_child(const ExchangeOptions& options, int timeout_ms = 10000);

}  // namespace lab::labs::testing
