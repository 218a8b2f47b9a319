#pragma once
// A renderer that prints nothing: it measures an exchange as its timeline goes by (packets, bytes, phases,
// the client's first reply) for `lab compare`. Any renderer sees the same events; this one only counts them.
#include <cstdint>
#include <optional>
#include <string>

#include "capture/render/renderer.hpp"

namespace lab::labs {

struct ExchangeMeasures {
  std::uint64_t packets = 0;
  std::uint64_t wire_bytes = 0;        // whole frames, headers included
  std::uint64_t payload_bytes = 0;     // what the applications sent, each byte once
  std::uint64_t handshake_packets = 0;
  std::uint64_t teardown_packets = 0;  // FINs, their ACKs, and RSTs
  std::uint64_t data_packets = 0;      // data and the ACKs that answer it (ARP: arp_packets)
  std::uint64_t dropped = 0;           // dropped by the lab's wire
  std::uint64_t retransmissions = 0;   // TCP segments sent again (Wireshark's retransmission family)
  std::uint64_t bytes_sent = 0;        // by the client's application
  std::uint64_t bytes_echoed = 0;      // received back by the client's application
  std::uint64_t messages_echoed = 0;   // UDP: datagrams back; TCP: messages whose every byte came back
  std::optional<std::int64_t> first_reply_ns;  // the client's first call (connect or send) to its first recv
  std::string client_gave_up;          // the client's timeout or error, if any
  // How the data was cut to fit the link (compare --mtu --size): TCP into segments, UDP into IP fragments.
  // "To the server" and "back": by the IP source, the client's being that of the first IP packet (in every lab the
  // client speaks first).
  std::uint64_t largest_ip_packet = 0; // bytes, IP header included: what the MTU limits
  std::uint64_t data_segments = 0;     // TCP segments that carry data, each copy counted
  std::uint64_t data_segments_to_server = 0;
  std::uint64_t data_segments_sent_again = 0;  // of them, retransmissions (Wireshark's retransmission family)
  std::uint64_t ip_fragments = 0;      // packets that are fragments of a larger IP datagram
  std::uint64_t ip_fragments_to_server = 0;
  std::optional<std::uint16_t> mss_offered;  // the MSS option of the client's first SYN
  std::uint64_t arp_packets = 0;       // ARP requests and replies (--topology two-hosts)
  std::uint64_t arp_before_first_ip = 0;  // of them, those before the first IP packet: the first lookup
  std::uint64_t arp_bytes = 0;         // their whole frames, in wire_bytes but neither header nor data of the exchange
};

class ExchangeMeter : public lab::render::Renderer {
 public:
  void packet(const lab::render::PacketView& view, std::string& out) override;
  void app(const lab::render::AppView& view, std::string& out) override;
  void conversation_end(const lab::flow::Conversation&, std::string&) override {}
  void summary(const lab::render::SummaryView&, std::string&) override {}
  const ExchangeMeasures& measures() const { return m_; }

 private:
  ExchangeMeasures m_;
  std::optional<std::int64_t> first_call_ns_;
  std::optional<lab::decode::IpAddress> client_ip_;  // the source of the first IP packet
};

}  // namespace lab::labs
