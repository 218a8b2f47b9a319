#include "labs/exchange_meter.hpp"

namespace lab::labs {

using lab::flow::Phase;
using lab::flow::Role;
using lab::timeline::AppCall;

namespace {

// The application bytes one frame carries. A UDP datagram larger than the MTU travels as IP fragments: each
// carries its share of the datagram, the first one also the 8-byte UDP header (RFC 768), and the frame that
// completes it is decoded as the whole datagram, so its own share is counted here rather than the whole.
std::uint64_t data_in_frame(const lab::decode::DecodedPacket& p) {
  std::int64_t share = -1;
  std::uint32_t offset = 0;
  if (p.ipv4 && p.ipv4->is_fragment()) {
    share = static_cast<std::int64_t>(p.ipv4->total_length) - p.ipv4->header_len;
    offset = p.ipv4->fragment_offset;
  } else if (p.ipv6 && p.ipv6->is_fragment) {
    share = static_cast<std::int64_t>(p.ipv6->payload_length) + 40 - p.ipv6->fragment_data_start;
    offset = p.ipv6->fragment_offset;
  }
  if (share < 0) return p.payload_len;
  const bool udp = (p.ipv4 ? p.ipv4->protocol : p.ipv6->fragment_next_header) == 17;
  if (offset == 0 && udp) share -= 8;
  return share < 0 ? 0 : static_cast<std::uint64_t>(share);
}

}  // namespace

void ExchangeMeter::packet(const lab::render::PacketView& v, std::string&) {
  m_.packets += 1;
  m_.wire_bytes += v.frame.wire_len;
  // Each byte once (a retransmission's bytes are on the wire again, but they are no new data).
  m_.payload_bytes += v.packet.tcp && v.observation.conversation ? v.observation.tcp.new_bytes : data_in_frame(v.packet);
  if (v.frame.wire.dropped) m_.dropped += 1;
  const auto& p = v.packet;
  if (p.arp) {
    m_.arp_packets += 1;
    m_.arp_bytes += v.frame.wire_len;
    if (!client_ip_) m_.arp_before_first_ip += 1;
    return;  // not the conversation's: in no phase of it
  }
  if (!client_ip_ && p.src_ip() != nullptr) client_ip_ = *p.src_ip();
  const bool to_server = client_ip_ && p.src_ip() != nullptr && *p.src_ip() == *client_ip_;
  // The IP packet as it crossed the link (for the frame that completed a datagram, its own header's length).
  const std::uint64_t ip_length = p.ipv4 ? p.ipv4->total_length : p.ipv6 ? p.ipv6->payload_length + 40u : 0u;
  if (ip_length > m_.largest_ip_packet) m_.largest_ip_packet = ip_length;
  if ((p.ipv4 && p.ipv4->is_fragment()) || (p.ipv6 && p.ipv6->is_fragment)) {
    m_.ip_fragments += 1;
    m_.ip_fragments_to_server += to_server ? 1 : 0;
  }
  const bool sent_again =
      v.packet.tcp && v.observation.conversation && v.observation.tcp.analysis.retransmission_family();
  if (p.tcp && p.payload_len > 0) {
    m_.data_segments += 1;
    m_.data_segments_to_server += to_server ? 1 : 0;
    m_.data_segments_sent_again += sent_again ? 1 : 0;
  }
  if (p.tcp && p.tcp->has(lab::decode::tcp_flag::syn) && !p.tcp->has(lab::decode::tcp_flag::ack) && !m_.mss_offered)
    m_.mss_offered = p.tcp->options.mss;
  if (sent_again) m_.retransmissions += 1;
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
