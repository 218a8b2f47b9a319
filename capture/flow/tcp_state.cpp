#include "capture/flow/tcp_state.hpp"

namespace lab::flow {

const char* tcp_state_name(TcpState state) {
  switch (state) {
    case TcpState::unknown: return "UNKNOWN";
    case TcpState::closed: return "CLOSED";
    case TcpState::listen: return "LISTEN";
    case TcpState::syn_sent: return "SYN-SENT";
    case TcpState::syn_received: return "SYN-RECEIVED";
    case TcpState::established: return "ESTABLISHED";
    case TcpState::fin_wait_1: return "FIN-WAIT-1";
    case TcpState::fin_wait_2: return "FIN-WAIT-2";
    case TcpState::close_wait: return "CLOSE-WAIT";
    case TcpState::closing: return "CLOSING";
    case TcpState::last_ack: return "LAST-ACK";
    case TcpState::time_wait: return "TIME-WAIT";
  }
  return "UNKNOWN";
}

std::optional<TcpState> from_kernel(lab::decode::KernelTcpState state) {
  using lab::decode::KernelTcpState;
  switch (state) {
    case KernelTcpState::established: return TcpState::established;
    case KernelTcpState::syn_sent: return TcpState::syn_sent;
    case KernelTcpState::syn_recv: return TcpState::syn_received;
    case KernelTcpState::fin_wait1: return TcpState::fin_wait_1;
    case KernelTcpState::fin_wait2: return TcpState::fin_wait_2;
    case KernelTcpState::time_wait: return TcpState::time_wait;
    case KernelTcpState::close: return TcpState::closed;
    case KernelTcpState::close_wait: return TcpState::close_wait;
    case KernelTcpState::last_ack: return TcpState::last_ack;
    case KernelTcpState::listen: return TcpState::listen;
    case KernelTcpState::closing: return TcpState::closing;
    case KernelTcpState::not_read: break;
  }
  return std::nullopt;
}

}  // namespace lab::flow
