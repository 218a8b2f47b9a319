#pragma once
// One exchange from start to end: the lab's server and client on one event loop, their packets captured
// (from the loopback, or from the lab's own wire between two hosts) and fed, with every application call,
// into one timeline. `lab tcp-echo`, `lab udp-echo` and `lab compare` are all made of this, with the echo
// programs; `lab http-ping` and `lab https-ping` too, with the HTTP(S) ones (EchoLabOptions::application).
// No Asio here: exchange.cpp is the only file of labs/ that includes it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/timeline/explainer.hpp"
#include "echo/echo_options.hpp"
#include "labs/echo_lab.hpp"
#include "labs/net/kernel_counters.hpp"
#include "labs/net/two_hosts.hpp"
#include "labs/net/wire.hpp"

namespace lab::labs {

// https-ping: what TLS settled on, as the client saw it (its last connection).
struct TlsOutcome {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  std::string alpn;     // "http/1.1"
  bool certificate_verified = false;  // never: the lab's server shows a throw-away self-signed certificate
  bool peer_close_notify = false;     // the server's close_notify came on every connection
  std::string keylog_path;            // where the secrets went ("" for nowhere)
};

struct ExchangeResult {
  std::optional<lab::echo::ClientResult> client;  // nullopt: the client did not finish within the deadline
  bool on_wire = false;                           // ran between two hosts over the lab's wire
  std::uint32_t delay_ms = 0;                     // the wire's one-way delay (a simultaneous close sets one)
  Wire::Stats wire{};
  TcpCounters client_kernel{};                    // what each host's kernel counted during the exchange
  TcpCounters server_kernel{};
  std::uint64_t kernel_dropped = 0;               // loopback capture: packets libpcap's buffer lost
  std::size_t messages = 0;                       // how many messages (http-ping: requests) the client sent
  std::vector<UnmatchedDrop> unmatched_drops;     // --drop rules whose packet never came
  std::optional<TlsOutcome> tls;                  // https-ping: what the client's TLS settled on
};

// Runs one exchange in the current network namespace (`hosts` null: over its loopback) or between the two
// hosts. Every packet and call goes to `explainer`; the caller calls explainer.finish(). Throws
// std::runtime_error (one line) when the server cannot start or the capture cannot open.
ExchangeResult run_exchange(const EchoLabOptions& options, const TwoHosts* hosts, lab::timeline::Explainer& explainer);

}  // namespace lab::labs
