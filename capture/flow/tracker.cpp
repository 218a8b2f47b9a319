#include "capture/flow/tracker.hpp"

#include <algorithm>

#include "capture/decode/quoted.hpp"
#include "capture/decode/tls.hpp"
#include "capture/flow/rst_reading.hpp"
#include "capture/flow/tcp_tracking.hpp"

namespace lab::flow {
namespace {

using lab::decode::DecodedPacket;
namespace flag = lab::decode::tcp_flag;

// FNV-1a: enough to recognise "the same bytes came back" without keeping the bytes.
std::uint64_t payload_hash(std::span<const std::uint8_t> bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (std::uint8_t b : bytes) h = (h ^ b) * 1099511628211ull;
  return h;
}

// Who is the client? The sender of a SYN is; the sender of a SYN-ACK is the server. Without a handshake
// (the capture started later, or UDP) it is a guess: a port below 1024 is a service's, otherwise whoever
// spoke first is taken as the client.
Role first_sender_role(const DecodedPacket& p, std::uint16_t src_port, std::uint16_t dst_port, bool& guessed) {
  guessed = false;
  if (p.tcp && p.tcp->has(flag::syn)) return p.tcp->has(flag::ack) ? Role::server : Role::client;
  guessed = p.tcp.has_value();
  if (src_port < 1024 && dst_port >= 1024) return Role::server;
  return Role::client;
}

void track_udp_datagram(Conversation& c, Role from, const DecodedPacket& p, std::uint32_t packet_index,
                        std::int64_t time_ns, Observation& o) {
  UdpSide& sender = c.udp[static_cast<int>(from)];
  const UdpSide& receiver = c.udp[static_cast<int>(other(from))];
  const std::uint64_t hash = payload_hash(p.payload);
  o.udp.datagram_number = static_cast<std::uint32_t>(c.sent[0].packets + c.sent[1].packets + 1);
  if (receiver.seen && receiver.last_payload_len == p.payload_len && receiver.last_payload_hash == hash &&
      receiver.last_packet_index > sender.last_packet_index) {
    o.udp.echoes_previous = true;
    o.udp.echoed_packet = receiver.last_packet_index;
    o.udp.echo_delay_ns = time_ns - receiver.last_time_ns;
  }
  sender = UdpSide{hash, p.payload_len, packet_index, time_ns, true};
  o.phase = Phase::data;
}

// HTTP on a TCP connection, recognised by its bytes (http_stream.hpp). The first bytes of each side decide whether
// it is worth following; most connections of a large capture are not HTTP and never make an HttpConversation.
// Whether a side's first bytes could start what `Stream` follows; false rules that side out.
bool could_be_http(const DecodedPacket& p) {
  lab::decode::HttpHead head;
  return !p.payload.empty() && lab::decode::parse_http_head(p.payload, head) != lab::decode::HttpHeadStatus::not_http;
}
bool could_be_tls(const DecodedPacket& p) {
  const auto& b = p.payload;
  if (b.size() >= lab::decode::tls_record_header_bytes) return lab::decode::read_tls_record_header(b).has_value();
  // A header cut by the segment's end: what is there must fit (a known type, then version 3.x).
  if (b.empty()) return false;
  if (b[0] < lab::decode::tls_content::change_cipher_spec || b[0] > lab::decode::tls_content::heartbeat) return false;
  return (b.size() < 2 || b[1] == 3) && (b.size() < 3 || b[2] <= 4);
}

// Follows one application protocol on the connection: made the first time a side's first bytes could be it.
template <class Stream, class Out>
void track_stream(std::unique_ptr<Stream>& stream, std::array<bool, 2>& ruled_out, bool (*could_be)(const DecodedPacket&),
                  int side, const DecodedPacket& p, const StreamSegment& segment, Out& out) {
  if (!stream) {
    if (ruled_out[side] || p.payload_len == 0) return;  // (a FIN before any of it: nothing to say)
    if (!could_be(p)) {
      ruled_out[side] = true;
      return;
    }
    stream = std::make_unique<Stream>();
    for (int s = 0; s < 2; ++s)
      if (ruled_out[s]) stream->rule_out(s);
  }
  stream->observe(side, segment, out);
}

// HTTP and TLS on a TCP connection, recognised by their bytes (http_stream.hpp, tls_stream.hpp). The first bytes of
// each side decide whether either is worth following; most connections of a large capture are neither.
void track_application(Conversation& c, Role from, const DecodedPacket& p, std::uint32_t packet_index,
                       std::int64_t time_ns, Observation& o) {
  StreamSegment segment;
  // The payload starts after the SYN, which takes one sequence number of its own.
  segment.first_seq = p.tcp->seq + (p.tcp->has(flag::syn) ? 1u : 0u);
  segment.payload = p.payload;
  segment.payload_len = p.payload_len;
  segment.new_fin = o.tcp.new_fin;
  segment.packet_index = packet_index;
  segment.time_ns = time_ns;
  const int side = static_cast<int>(from);
  track_stream(c.http, c.not_http, could_be_http, side, p, segment, o.http);
  track_stream(c.tls, c.not_tls, could_be_tls, side, p, segment, o.tls);
}

}  // namespace

Conversation& Tracker::find_or_add(const FlowKey& key, std::uint32_t packet_index, std::int64_t time_ns) {
  auto [it, added] = conversations_.try_emplace(key);
  Conversation& c = it->second;
  if (added) {
    c.key = key;
    c.stream = key.protocol == lab::decode::ip_protocol::tcp ? next_tcp_stream_++ : next_udp_stream_++;
    c.first_time_ns = time_ns;
    c.first_packet_index = packet_index;
  }
  return c;
}

bool Tracker::replaces(const Conversation& old, const Endpoint& src, const lab::decode::TcpHeader& tcp) const {
  const TcpSide& sender = old.side(src == old.at(Role::client) ? Role::client : Role::server);
  const bool v44 = rules_ == WiresharkRules::v4_4;
  const bool syn_ack = tcp.has(flag::ack);
  const bool new_isn = sender.base_known && sender.isn != tcp.seq;
  const bool after_close = sender.base_known && (old.reset || old.saw_fin_ack);
  return (v44 || !syn_ack) && (new_isn || (v44 && after_close));
}

void Tracker::close_called(const Conversation& conversation, Role role, bool resets) {
  const auto it = conversations_.find(conversation.key);
  if (it == conversations_.end() || &it->second != &conversation) return;
  lab::flow::close_called(it->second.side(role), resets);
}

bool Tracker::would_replace(const DecodedPacket& p) const {
  if (!p.has_ip() || !p.tcp || !p.tcp->has(flag::syn)) return false;
  const Endpoint src{*p.src_ip(), p.tcp->src_port};
  const Endpoint dst{*p.dst_ip(), p.tcp->dst_port};
  const auto it = conversations_.find(FlowKey::of(lab::decode::ip_protocol::tcp, src, dst));
  return it != conversations_.end() && replaces(it->second, src, *p.tcp);
}

void Tracker::observe_receipt(const DecodedPacket& p, Observation& o) {
  if (!p.has_ip() || !p.tcp || o.conversation == nullptr) return;
  const Endpoint src{*p.src_ip(), p.tcp->src_port};
  const Endpoint dst{*p.dst_ip(), p.tcp->dst_port};
  const auto it = conversations_.find(FlowKey::of(lab::decode::ip_protocol::tcp, src, dst));
  if (it == conversations_.end() || &it->second != o.conversation) return;  // let go meanwhile: nothing to change
  receive_tcp_segment(it->second, o.from, *p.tcp, p.payload_len, /*exact=*/true, o);
}

Observation Tracker::observe(std::uint32_t packet_index, std::int64_t time_ns, std::uint32_t wire_len,
                             const DecodedPacket& p, bool delivered, bool receipt_later, bool exact_delivery) {
  Observation o;
  o.delivered = delivered;
  if (p.link.protocol == lab::decode::ethertype::arp && !p.has_ip()) {
    arp_.observe_arp(packet_index, time_ns, p, o.arp);
    return o;
  }
  if (p.ipv4) arp_.observe_ipv4(p, o.arp);
  if (p.icmp && p.icmp->is_error) observe_icmp_error(p, o);
  if (!p.has_ip() || (!p.tcp && !p.udp)) return o;
  const std::uint16_t src_port = p.tcp ? p.tcp->src_port : p.udp->src_port;
  const std::uint16_t dst_port = p.tcp ? p.tcp->dst_port : p.udp->dst_port;
  const Endpoint src{*p.src_ip(), src_port};
  const Endpoint dst{*p.dst_ip(), dst_port};
  const std::uint8_t protocol = p.tcp ? lab::decode::ip_protocol::tcp : lab::decode::ip_protocol::udp;

  const FlowKey key = FlowKey::of(protocol, src, dst);
  if (p.tcp && p.tcp->has(flag::syn)) {
    // Wireshark's rule for tcp.stream. A SYN with a new initial sequence number on known ports is a new connection
    // reusing them (the old one is let go); one repeating the ISN is a retransmission of the same one. Since 4.4, a
    // SYN after a reset or a FIN starts a new connection even with the same ISN, and so does a SYN-ACK with a new
    // ISN (or after a reset or FIN), where 4.0 kept one stream.
    if (auto it = conversations_.find(key); it != conversations_.end()) {
      if (replaces(it->second, src, *p.tcp)) {
        ended_.push_back(std::move(it->second));
        ++ended_count_;
        conversations_.erase(it);
      }
    }
  }
  Conversation& c = find_or_add(key, packet_index, time_ns);
  const bool first = c.sent[0].packets + c.sent[1].packets == 0;
  if (first) {
    bool guessed = false;
    const Role role = first_sender_role(p, src_port, dst_port, guessed);
    c.endpoint[static_cast<int>(role)] = src;
    c.endpoint[static_cast<int>(other(role))] = dst;
    c.roles_guessed = guessed;
    c.mid_stream = p.tcp && !p.tcp->has(flag::syn);
    // A connection the capture sees open, whose server the capture's owner knows: both states before its SYN.
    if (p.tcp && p.tcp->has(flag::syn) && !p.tcp->has(flag::ack) && listener_ != Listener::unknown) {
      c.side(Role::client).state = TcpState::closed;
      TcpSide& server = c.side(Role::server);
      server.state = listener_ == Listener::listening ? TcpState::listen : TcpState::closed;
      server.nobody_listens = listener_ == Listener::nobody;
    }
  }
  o.conversation = &c;
  o.first_of_conversation = first;
  o.from = src == c.at(Role::client) ? Role::client : Role::server;
  if (c.at(Role::client) == c.at(Role::server)) o.from = Role::client;  // a socket talking to itself

  const std::uint8_t ttl = p.ipv4 ? p.ipv4->ttl : p.ipv6 ? p.ipv6->hop_limit : 0;
  if (p.tcp && p.tcp->has(flag::rst)) o.tcp.rst = read_rst_clues(c, o.from, *p.tcp, ttl, time_ns);
  if (p.tcp) {
    const bool fragment = p.is_fragment();  // a reassembled segment is whole: analysed as any other
    const Receipt receipt = !delivered ? Receipt::never : receipt_later ? Receipt::later : Receipt::now;
    track_tcp_segment(c, o.from, *p.tcp, p.payload_len, packet_index, time_ns, o, receipt, exact_delivery, fragment,
                      rules_);
    if (!fragment) track_application(c, o.from, p, packet_index, time_ns, o);
  } else {
    track_udp_datagram(c, o.from, p, packet_index, time_ns, o);
  }

  SideCounters& counters = c.sent[static_cast<int>(o.from)];
  if (counters.packets > 0) o.tcp.since_sender_previous_ns = time_ns - counters.last_time_ns;
  counters.last_time_ns = time_ns;
  counters.packets += 1;
  counters.last_packet_index = packet_index;
  const std::uint32_t new_bytes = p.tcp ? o.tcp.new_bytes : p.payload_len;
  counters.payload_bytes += new_bytes;
  counters.resent_bytes += p.payload_len - new_bytes;
  counters.wire_bytes += wire_len;
  counters.last_ttl = ttl;
  c.packets_in_phase[static_cast<int>(o.phase)] += 1;
  if (!delivered) ++c.trouble.dropped_by_lab;
  if (c.sent[0].packets + c.sent[1].packets > 1) c.previous_gap_ns = time_ns - c.last_time_ns;
  c.last_time_ns = time_ns;
  c.last_packet_index = packet_index;
  return o;
}

// An ICMP error quotes the packet that caused it: find that packet's conversation.
void Tracker::observe_icmp_error(const DecodedPacket& p, Observation& o) const {
  const auto quoted = lab::decode::decode_quoted(p.payload, p.icmp->v6);
  if (!quoted) return;
  o.icmp.quoted_protocol = quoted->protocol;
  if (!quoted->has_ports) return;
  const Endpoint src{quoted->src, quoted->src_port};
  const Endpoint dst{quoted->dst, quoted->dst_port};
  const auto it = conversations_.find(FlowKey::of(quoted->protocol, src, dst));
  if (it == conversations_.end()) return;
  const Conversation& c = it->second;
  o.icmp.about = &c;
  o.icmp.about_sender = src == c.at(Role::client) ? Role::client : Role::server;
  o.icmp.about_packet = c.sent[static_cast<int>(o.icmp.about_sender)].last_packet_index;
}

void Tracker::release_quiet(std::uint32_t packet_index, std::int64_t time_ns) {
  // An ended connection may still see a straggler (a retransmitted FIN, the last ACK again): keep it a
  // while. UDP never says it is done, so a UDP exchange ends when it has been quiet for longer. Anything
  // silent for ten minutes of capture time is let go too.
  constexpr std::uint32_t ended_quiet_packets = 10'000;
  constexpr std::int64_t ended_quiet_ns = 120'000'000'000;
  constexpr std::uint32_t udp_quiet_packets = 50'000;
  constexpr std::int64_t udp_quiet_ns = 300'000'000'000;
  constexpr std::int64_t idle_ns = 600'000'000'000;
  const std::size_t before = ended_.size();
  for (auto it = conversations_.begin(); it != conversations_.end();) {
    const Conversation& c = it->second;
    const std::uint32_t quiet_packets = packet_index - c.last_packet_index;
    const std::int64_t quiet_ns = time_ns - c.last_time_ns;
    const bool over = c.ended() && (quiet_packets >= ended_quiet_packets || quiet_ns >= ended_quiet_ns);
    const bool udp_over = c.key.protocol == lab::decode::ip_protocol::udp &&
                          (quiet_packets >= udp_quiet_packets || quiet_ns >= udp_quiet_ns);
    if (over || udp_over || quiet_ns >= idle_ns) {
      ended_.push_back(std::move(it->second));
      it = conversations_.erase(it);
    } else {
      ++it;
    }
  }
  ended_count_ += ended_.size() - before;
  std::sort(ended_.begin() + static_cast<std::ptrdiff_t>(before), ended_.end(),
            [](const Conversation& a, const Conversation& b) { return a.first_packet_index < b.first_packet_index; });
}

std::vector<const Conversation*> Tracker::conversations() const {
  std::vector<const Conversation*> all;
  all.reserve(conversations_.size());
  for (const auto& [key, c] : conversations_) all.push_back(&c);
  std::sort(all.begin(), all.end(), [](const Conversation* a, const Conversation* b) {
    return a->first_packet_index < b->first_packet_index;
  });
  return all;
}

}  // namespace lab::flow
