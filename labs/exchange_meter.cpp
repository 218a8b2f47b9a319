#include "labs/exchange_meter.hpp"

namespace lab::labs {

using lab::flow::Phase;
using lab::flow::Role;
using lab::timeline::AppCall;

void ExchangeMeter::packet(const lab::render::PacketView& v, std::string&) {
  m_.packets += 1;
  m_.wire_bytes += v.frame.wire_len;
  // Each byte once (a retransmission's bytes are on the wire again, but they are no new data).
  m_.payload_bytes += v.packet.tcp && v.observation.conversation ? v.observation.tcp.new_bytes : v.packet.payload_len;
  if (v.frame.wire.dropped) m_.dropped += 1;
  if (v.packet.tcp && v.observation.conversation && v.observation.tcp.analysis.retransmission_family())
    m_.retransmissions += 1;
  switch (v.observation.phase) {
    case Phase::handshake: m_.handshake_packets += 1; break;
    case Phase::teardown:
    case Phase::reset: m_.teardown_packets += 1; break;
    case Phase::data: m_.data_packets += 1; break;
  }
}

void ExchangeMeter::app(const lab::render::AppView& v, std::string&) {
  const auto& e = v.event;
  if (e.actor != Role::client) return;
  if ((e.call == AppCall::connect || e.call == AppCall::send) && !first_call_ns_) first_call_ns_ = e.time_ns;
  if (e.call == AppCall::send) m_.bytes_sent += e.bytes;
  if (e.call == AppCall::recv) {
    if (!m_.first_reply_ns && first_call_ns_) m_.first_reply_ns = e.time_ns - *first_call_ns_;
    m_.bytes_echoed += e.bytes;
    if (!e.tcp) m_.messages_echoed += 1;  // a datagram is a message; TCP's are counted by the caller
  }
  if ((e.call == AppCall::timeout || e.call == AppCall::error) && m_.client_gave_up.empty()) m_.client_gave_up = e.detail;
}

}  // namespace lab::labs
