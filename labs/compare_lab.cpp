// `lab compare`: one exchange over TCP, one over UDP, measured by the same timeline, shown side by side.
#include "labs/compare_lab.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

#include "capture/annotate/words.hpp"
#include "capture/render/escape.hpp"
#include "capture/render/text_renderer.hpp"
#include "labs/exchange.hpp"
#include "labs/exchange_meter.hpp"
#include "labs/net/netns.hpp"
#include "labs/terminal.hpp"
#include "labs/net/two_hosts.hpp"
#include "labs/unmatched_drops.hpp"
#include "echo/udp_limit.hpp"

namespace lab::labs {
namespace {

struct Column {
  const char* name;
  ExchangeMeasures m;
  ExchangeResult r;
};

Column measure(Transport transport, const CompareOptions& options, const TwoHosts* hosts) {
  EchoLabOptions o;
  o.transport = transport;
  o.messages = options.messages;
  o.size = options.size;
  o.faults = options.faults;
  o.reply_timeout_ms = options.reply_timeout_ms;
  o.ipv6 = options.ipv6;
  ExchangeMeter meter;
  lab::timeline::Explainer explainer(meter, {}, [](std::string_view) {});
  Column column{transport == Transport::tcp ? "TCP" : "UDP", {}, run_exchange(o, hosts, explainer)};
  explainer.finish();
  column.m = meter.measures();
  if (transport == Transport::tcp) {  // a TCP message came back when all its bytes did
    std::uint64_t covered = 0;
    for (const std::string& message : o.client_messages()) {
      covered += message.size();
      if (covered <= column.m.bytes_echoed) column.m.messages_echoed += 1;
    }
  }
  return column;
}

std::string milliseconds(const std::optional<std::int64_t>& ns) {
  if (!ns) return "never";
  return fmt::format("{:.2f} ms", static_cast<double>(*ns) / 1e6);
}

// The exchange's headers: every frame's bytes that are neither its data nor ARP (which is no part of the exchange).
std::uint64_t header_bytes(const ExchangeMeasures& m) { return m.wire_bytes - m.payload_bytes - m.arp_bytes; }

std::string percent_of(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "0";
  return fmt::format("{} ({:.0f}%)", part, 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

// What became of the data the lab's wire dropped, in a sentence per protocol.
std::string fate_of_lost_data(const Column& c, bool tcp) {
  if (c.m.dropped == 0) return "nothing was lost.";
  const std::string lost = fmt::format("the wire dropped {} packet{}", c.m.dropped, c.m.dropped == 1 ? "" : "s");
  if (tcp) {
    if (c.m.messages_echoed == c.r.messages && c.m.retransmissions == 0)
      return fmt::format("{}, none with data: nothing needed sending again (a lost ACK is covered by the next one, "
                         "since ACKs are cumulative), and every byte arrived.", lost);
    if (c.m.messages_echoed == c.r.messages)
      return fmt::format("{}; TCP noticed and sent again ({} retransmission{}), so every byte arrived, later.", lost,
                         c.m.retransmissions, c.m.retransmissions == 1 ? "" : "s");
    return fmt::format("{}; TCP kept retransmitting, but the client gave up first ({}).", lost,
                       c.m.client_gave_up.empty() ? "timeout" : c.m.client_gave_up);
  }
  const std::uint64_t missing = c.r.messages - c.m.messages_echoed;
  if (missing == 0) return fmt::format("{}, yet every echo came back (the loss hit nothing the client waited for).", lost);
  return fmt::format("{}; UDP sends nothing again: {} of {} message{} never came back, and the client only "
                     "learned it by waiting ({}).",
                     lost, missing, c.r.messages, c.r.messages == 1 ? "" : "s",
                     c.m.client_gave_up.empty() ? "timeout" : c.m.client_gave_up);
}

// Does a message exceed what one UDP datagram can carry? Then UDP cannot even send it.
bool too_large_for_udp(const CompareOptions& options) {
  const std::size_t limit = lab::echo::udp_max_payload(options.ipv6);
  if (options.size > limit) return true;
  for (const std::string& message : options.messages) {
    if (message.size() > limit) return true;
  }
  return false;
}

// Why a client failed where no fault was asked for (with faults, the lost-data lines tell it).
std::string failure_notes(const CompareOptions& options, const Column& tcp, const Column& udp) {
  std::string notes;
  for (const Column* c : {&tcp, &udp}) {
    if (options.faults.any() || !c->r.client || c->r.client->ok) continue;
    notes += fmt::format("{} failed: {}.", c->name, c->r.client->error);
    if (c == &udp && too_large_for_udp(options))
      notes += " TCP has no such limit: it carries a stream of bytes, cut into segments as they fit.";
    notes += '\n';
  }
  return notes;
}

// A --drop rule that matched nothing on one side (compare --drop syn: UDP has no SYN).
std::string unmatched_notes(const Column& tcp, const Column& udp) {
  std::string notes;
  for (const Column* c : {&tcp, &udp}) {
    if (!c->r.unmatched_drops.empty()) notes += fmt::format("{}: {}", c->name, unmatched_drops_text(c->r.unmatched_drops));
  }
  return notes;
}

// "(4 to the server, 4 back)": how many of `total` went each way, and `more` inside the same brackets.
std::string each_way(std::uint64_t total, std::uint64_t to_server, const std::string& more = "") {
  const std::uint64_t back = total - to_server;
  return fmt::format("({} to the server, {} back{})", to_server == 0 ? std::string("none") : std::to_string(to_server),
                     back == 0 ? std::string("none") : std::to_string(back), more);
}

// How each protocol fitted the data to the link: TCP's segments, UDP's IP fragments. One sentence of facts.
std::string cutting_note(const CompareOptions& options, int mtu, const Column& tcp, const Column& udp) {
  const int headers = options.ipv6 ? 60 : 40;  // the IP and TCP headers without options
  std::string note = fmt::format("The hosts' MTU was {} bytes; the largest IP packet was {} bytes over TCP and {} over "
                                 "UDP. ", mtu, tcp.m.largest_ip_packet, udp.m.largest_ip_packet);
  if (tcp.m.mss_offered) {
    const std::uint64_t again = tcp.m.data_segments_sent_again;
    note += fmt::format("TCP's client offered an MSS of {}{}, and TCP carried the data in {} segment{} {}, "
                        "each within it: TCP cuts a stream to fit, so IP never needs to. ",
                        *tcp.m.mss_offered,
                        *tcp.m.mss_offered == mtu - headers
                            ? fmt::format(" (the MTU less {} bytes of IP and TCP headers)", headers) : "",
                        tcp.m.data_segments, tcp.m.data_segments == 1 ? "" : "s",
                        each_way(tcp.m.data_segments, tcp.m.data_segments_to_server,
                                 again == 0 ? "" : fmt::format("; {} of them sent again", again)));
  }
  if (udp.m.ip_fragments == 0)
    note += "Every UDP datagram fitted in one packet: no fragments.";
  else
    note += fmt::format("UDP cannot cut a datagram: IP sent each one larger than the MTU in fragments, {} in all "
                        "{}{}.",
                        udp.m.ip_fragments, each_way(udp.m.ip_fragments, udp.m.ip_fragments_to_server),
                        udp.m.messages_echoed == udp.r.messages
                            ? ", and each receiving host reassembled them before its socket saw the datagram"
                            : "; a datagram one of whose fragments is lost is lost whole");
  return note + "\n";
}

// Two hosts: the first lookup before each run's first packet, and any ARP later on (a host checking an address).
std::string arp_note(const Column& tcp, const Column& udp) {
  std::string note = fmt::format(
      "Each protocol's run began with the hosts' neighbour caches empty: ARP took {} before TCP's first packet and {} "
      "before UDP's, the client's host asking for the server's MAC address before it could send anything.",
      lab::annotate::count_words(tcp.m.arp_before_first_ip, "packet", "packets"),
      lab::annotate::count_words(udp.m.arp_before_first_ip, "packet", "packets"));
  const std::uint64_t later_tcp = tcp.m.arp_packets - tcp.m.arp_before_first_ip;
  const std::uint64_t later_udp = udp.m.arp_packets - udp.m.arp_before_first_ip;
  if (later_tcp + later_udp > 0)
    note += fmt::format(" Later, during the exchange: {} more over TCP and {} over UDP (the --annotate of each lab "
                        "explains them).", later_tcp, later_udp);
  return note + "\n";
}

void text_table(const CompareOptions& options, int mtu, const Column& tcp, const Column& udp, std::string& out) {
  const std::size_t n = tcp.r.messages;
  fmt::format_to(std::back_inserter(out), "The same {} over TCP and over UDP, each echoed back:\n\n",
                 n == 1 ? "message" : fmt::format("{} messages", n));
  auto row = [&out](const char* what, const std::string& a, const std::string& b) {
    fmt::format_to(std::back_inserter(out), "  {:<28}{:>18}{:>18}\n", what, a, b);
  };
  auto number_row = [&row](const char* what, std::uint64_t a, std::uint64_t b) {
    row(what, std::to_string(a), std::to_string(b));
  };
  row("", "TCP", "UDP");
  number_row("packets", tcp.m.packets, udp.m.packets);
  number_row("  handshake", tcp.m.handshake_packets, udp.m.handshake_packets);
  number_row("  data and its ACKs", tcp.m.data_packets, udp.m.data_packets);
  number_row("  teardown", tcp.m.teardown_packets, udp.m.teardown_packets);
  if (options.two_hosts) number_row("  ARP", tcp.m.arp_packets, udp.m.arp_packets);
  number_row("bytes on the wire", tcp.m.wire_bytes, udp.m.wire_bytes);
  row("  of which headers", percent_of(header_bytes(tcp.m), tcp.m.wire_bytes),
      percent_of(header_bytes(udp.m), udp.m.wire_bytes));
  number_row("  of which data", tcp.m.payload_bytes, udp.m.payload_bytes);
  if (options.two_hosts) number_row("  of which ARP", tcp.m.arp_bytes, udp.m.arp_bytes);
  row("time to first reply", milliseconds(tcp.m.first_reply_ns), milliseconds(udp.m.first_reply_ns));
  row("messages echoed", fmt::format("{}/{}", tcp.m.messages_echoed, n), fmt::format("{}/{}", udp.m.messages_echoed, n));
  if (mtu > 0) {
    number_row("largest IP packet", tcp.m.largest_ip_packet, udp.m.largest_ip_packet);
    row("segments with data", std::to_string(tcp.m.data_segments), "-");
    number_row("IP fragments", tcp.m.ip_fragments, udp.m.ip_fragments);
  }
  if (options.faults.any()) {
    number_row("dropped by the lab", tcp.m.dropped, udp.m.dropped);
    row("retransmissions", std::to_string(tcp.m.retransmissions), "none, ever");
  }
  out += '\n';
  std::string notes;
  notes += "Time to first reply counts from the client's first call (connect() for TCP, sendto() for UDP) to its first "
         "recv(): TCP pays a round trip for the handshake before any data moves. Headers include the 14-byte "
         "Ethernet header of every frame.\n";
  if (mtu > 0) notes += cutting_note(options, mtu, tcp, udp);
  if (options.two_hosts) notes += arp_note(tcp, udp);
  notes += failure_notes(options, tcp, udp);
  if (options.faults.any()) {
    notes += "Lost data — TCP: " + fate_of_lost_data(tcp, true) + "\n";
    notes += "Lost data — UDP: " + fate_of_lost_data(udp, false) + "\n";
  }
  notes += unmatched_notes(tcp, udp);
  notes += "TCP spends packets on a handshake, acknowledgements and a teardown to promise that every byte arrives, in "
         "order; UDP spends none and promises nothing. See each packet explained with:\n"
         "  lab tcp-echo --annotate    and    lab udp-echo --annotate\n";
  lab::render::append_wrapped(out, notes, 0, output_width(stdout));
}

// `more`: JSON members only this side has.
void json_side(const char* name, const Column& c, std::string_view more, std::string& out) {
  const ExchangeMeasures& m = c.m;
  fmt::format_to(std::back_inserter(out),
                 "\"{}\":{{\"packets\":{},\"handshake_packets\":{},\"data_packets\":{},\"teardown_packets\":{},"
                 "\"wire_bytes\":{},\"header_bytes\":{},\"payload_bytes\":{},\"first_reply_ms\":",
                 name, m.packets, m.handshake_packets, m.data_packets, m.teardown_packets, m.wire_bytes,
                 header_bytes(m), m.payload_bytes);
  if (m.first_reply_ns) fmt::format_to(std::back_inserter(out), "{:.3f}", static_cast<double>(*m.first_reply_ns) / 1e6);
  else out += "null";
  fmt::format_to(std::back_inserter(out),
                 ",\"messages\":{},\"messages_echoed\":{},\"bytes_sent\":{},\"bytes_echoed\":{},\"dropped\":{},"
                 "\"retransmissions\":{},\"client_ok\":{},\"client_error\":",
                 c.r.messages, m.messages_echoed, m.bytes_sent, m.bytes_echoed, m.dropped, m.retransmissions,
                 c.r.client && c.r.client->ok ? "true" : "false");
  if (c.r.client && !c.r.client->ok) {
    out += '"';
    lab::render::append_json_text(out, c.r.client->error);
    out += '"';
  } else {
    out += "null";
  }
  out += ',' + unmatched_drops_json(c.r.unmatched_drops);
  fmt::format_to(std::back_inserter(out),
                 ",\"largest_ip_packet\":{},\"data_segments\":{},\"data_segments_to_server\":{},"
                 "\"data_segments_sent_again\":{},\"ip_fragments\":{},\"ip_fragments_to_server\":{},"
                 "\"arp_packets\":{},\"arp_before_first_ip\":{},\"arp_bytes\":{}",
                 m.largest_ip_packet, m.data_segments, m.data_segments_to_server, m.data_segments_sent_again,
                 m.ip_fragments, m.ip_fragments_to_server, m.arp_packets, m.arp_before_first_ip, m.arp_bytes);
  out += more;
  out += '}';
}

}  // namespace

int run_compare(const CompareOptions& options) {
  enter_private_network();
  std::unique_ptr<TwoHosts> hosts;
  if (options.uses_wire())
    hosts = std::make_unique<TwoHosts>(TwoHosts::create(HostsConfig::for_lab(options.two_hosts, options.ipv6, options.mtu)));
  const Column tcp = measure(Transport::tcp, options, hosts.get());
  // With ARP on the wire, UDP's run would find TCP's answer cached and send none: both start from empty caches.
  if (hosts && hosts->config().arp) hosts->forget_neighbours();
  const Column udp = measure(Transport::udp, options, hosts.get());

  std::string out;
  if (options.format == OutputFormat::json) {
    out += fmt::format("{{\"type\":\"compare\",\"topology\":\"{}\",\"mtu\":{},", 
                       !hosts ? "loopback" : options.two_hosts ? "two-hosts" : "quiet-pair",
                       hosts ? std::to_string(hosts->config().mtu) : "null");
    json_side("tcp", tcp,
              tcp.m.mss_offered ? fmt::format(",\"mss_offered\":{}", *tcp.m.mss_offered) : ",\"mss_offered\":null",
              out);
    out += ',';
    // The datagram limit, as a fact: a message above it is one UDP cannot send at all.
    json_side("udp", udp,
              fmt::format(",\"max_datagram_payload\":{},\"too_large\":{}", lab::echo::udp_max_payload(options.ipv6),
                          too_large_for_udp(options)),
              out);
    out += "}\n";
  } else {
    text_table(options, hosts ? hosts->config().mtu : 0, tcp, udp, out);
  }
  write_stdout(out);
  if (!tcp.r.client || !udp.r.client) {
    std::fprintf(stderr, "lab: the comparison did not finish in time\n");
    return 1;
  }
  return 0;
}

}  // namespace lab::labs
