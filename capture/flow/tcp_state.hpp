#pragma once
// The TCP connection states of RFC 9293 section 3.3.2, as each endpoint holds them.
#include <cstdint>
#include <optional>

#include "capture/decode/frame.hpp"

namespace lab::flow {

enum class TcpState : std::uint8_t {
  unknown,  // nothing seen yet from which to tell
  closed,
  listen,
  syn_sent,
  syn_received,
  established,
  fin_wait_1,
  fin_wait_2,
  close_wait,
  closing,
  last_ack,
  time_wait,
};

// "ESTABLISHED", "FIN-WAIT-1", ... (RFC 9293 names, upper case with hyphens); "UNKNOWN" for unknown.
const char* tcp_state_name(TcpState state);

// A Linux kernel's state (sock_diag's numbering) as RFC 9293 names it; nullopt where the kernel was not read.
std::optional<TcpState> from_kernel(lab::decode::KernelTcpState state);

}  // namespace lab::flow
