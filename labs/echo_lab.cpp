// `lab tcp-echo` and `lab udp-echo`: isolate, run one exchange (labs/exchange.cpp), render its timeline, and
// close with what the wire did and where to go next.
#include "labs/echo_lab.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "capture/render/escape.hpp"
#include "capture/render/text_renderer.hpp"
#include "labs/background_output.hpp"
#include "labs/exchange.hpp"
#include "labs/http_lab.hpp"
#include "labs/https_lab.hpp"
#include "labs/net/netns.hpp"
#include "labs/net/two_hosts.hpp"
#include "labs/renderer_choice.hpp"
#include "labs/terminal.hpp"
#include "labs/unmatched_drops.hpp"

namespace lab::labs {
namespace {

std::string next_lesson(const EchoLabOptions& options, const ExchangeResult& result) {
  const std::size_t messages = result.messages;
  if (options.application == Application::http_ping) return http_next_lesson(options);
  if (options.application == Application::https_ping) return https_next_lesson(options, result.tls);
  const Transport transport = options.transport;
  if (transport == Transport::tcp)
    return "Next: the same message over UDP, with no handshake, no acknowledgements and no teardown:\n"
           "  lab udp-echo --annotate";
  // The fewest packets TCP could use for the same exchange: 3 for the handshake, each message and its echo
  // (their ACKs riding along), and 3 for the teardown with the first ACK and FIN combined.
  const std::size_t tcp_minimum = 3 + 2 * messages + 3;
  return fmt::format("Over TCP the same {} would take at least {} packets: a three-way handshake, the data with "
                     "its acknowledgements, and a teardown (usually a few more, when ACKs travel alone). Compare:\n"
                     "  lab tcp-echo --annotate    or both side by side:    lab compare",
                     messages == 1 ? "message" : "messages", tcp_minimum);
}

// What each host's kernel counted, in words ("1 tail-loss probe, 2 timeouts"); empty when nothing.
std::string counted(const TcpCounters& c) {
  std::string words;
  auto add = [&words](std::uint64_t n, const char* one, const char* many) {
    if (n == 0) return;
    if (!words.empty()) words += ", ";
    words += fmt::format("{} {}", n, n == 1 ? one : many);
  };
  add(c.syn_retrans, "SYN retransmission", "SYN retransmissions");
  add(c.timeouts, "retransmission timeout", "retransmission timeouts");
  add(c.loss_probes, "tail-loss probe", "tail-loss probes");
  add(c.fast_retrans, "fast retransmission", "fast retransmissions");
  return words;
}

// The wire's report: what the lab did to the packets, and what each kernel did about it.
std::string wire_report(const EchoLabOptions& options, const ExchangeResult& r, const TwoHosts& hosts) {
  std::string text = fmt::format(
      "The client host ({}) and the server host ({}) were joined by the lab's wire: it carried {} packets",
      hosts.address(Host::client), hosts.address(Host::server), r.wire.carried);
  if (r.wire.dropped > 0) text += fmt::format(" and dropped {} of them (marked DROPPED above)", r.wire.dropped);
  if (r.delay_ms > 0) text += fmt::format(", each delayed by {} ms", r.delay_ms);
  if (options.close == CloseStyle::simultaneous && options.faults.delay_ms == 0)
    text += " (so that both FINs are on the wire at once)";
  text += '.';
  if (options.faults.loss_percent > 0)
    text += fmt::format(" Random loss {}% with seed {}: the same seed drops the same packets every run.",
                        options.faults.loss_percent, options.faults.seed);
  if (options.transport == Transport::tcp) {
    const std::string client = counted(r.client_kernel);
    const std::string server = counted(r.server_kernel);
    if (client.empty() && server.empty())
      text += " Neither kernel had to retransmit anything.";
    else
      text += fmt::format(" The kernels' own counters (TcpExt in /proc/net/netstat): client {}; server {}.",
                          client.empty() ? "nothing" : client, server.empty() ? "nothing" : server);
  }
  return text;
}

// Why this run needs the lab's two hosts, said before anything else happens.
std::string why_two_hosts(const EchoLabOptions& o) {
  if (o.two_hosts)
    return "--topology two-hosts puts each side on its own host of a private pair built as lab net builds the "
           "classroom network, with no neighbour entries in advance: before its first packet to the server, the client's host must ask for "
           "the server's Ethernet (MAC) address with ARP";
  if (o.faults.any())
    return "packets are to be dropped or delayed, and only a wire the lab holds in its hands can do that (a loopback "
           "hands every packet straight over)";
  if (o.close == CloseStyle::simultaneous)
    return "the wire holds each packet 5 ms, so that both FINs are under way at once";
  if (o.mtu > 0)
    return fmt::format("--mtu {} limits the hosts' links to IP packets of {} bytes: {}", o.mtu, o.mtu,
                       o.transport == Transport::tcp
                           ? "TCP offers an MSS that fits in them and cuts its segments to it"
                           : "IP sends a larger datagram in fragments, which the receiving host reassembles");
  if (o.transport == Transport::udp)
    return "a real Ethernet link (1500-byte MTU) shows each datagram as IP really sends it, in fragments when it is "
           "larger, where a loopback carries up to 64 kB in one packet";
  return "a real Ethernet link (1500-byte MTU, no offloads) shows each segment as it is, where a loopback hands the "
         "capture segments of up to 64 kB";
}

// The opening lines of a run over the two hosts: where it runs and why, as text or as one JSON object.
void say_two_hosts(const EchoLabOptions& o, const TwoHosts& hosts, BackgroundOutput& output) {
  const std::string why = why_two_hosts(o);
  std::string out;
  if (o.format == OutputFormat::json) {
    out = fmt::format(R"({{"type":"lab","two_hosts":true,"topology":"{}","client_host":"{}","server_host":"{}",)"
                      R"("mtu":{},"arp":{},"why":")",
                      o.two_hosts ? "two-hosts" : "quiet-pair", hosts.address(Host::client),
                      hosts.address(Host::server), hosts.config().mtu, hosts.config().arp);
    lab::render::append_json_text(out, why);
    out += "\"}\n";
  } else {
    lab::render::append_wrapped(out,
                                fmt::format("This run moves to two hosts joined by the lab's own wire, the client at {} "
                                            "and the server at {}: {}.{}",
                                            hosts.address(Host::client), hosts.address(Host::server), why,
                                            o.transport == Transport::tcp
                                                ? " Under each packet, its sender's state is as it sent the packet, "
                                                  "its receiver's as the packet reached it."
                                                : ""),
                                0, output_width(stdout));
  }
  output.write(out);
}

// A scenario that makes the client fail on purpose: the failure is the lesson, not an error of the lab.
bool failure_expected(const EchoLabOptions& o) {
  return o.no_server || o.faults.any() || o.close == CloseStyle::unread;
}

}  // namespace

const char* close_style_name(CloseStyle style) {
  switch (style) {
    case CloseStyle::client_first: return "client";
    case CloseStyle::server_first: return "server";
    case CloseStyle::abort: return "abort";
    case CloseStyle::unread: return "unread";
    case CloseStyle::half_close: return "half";
    case CloseStyle::simultaneous: return "simultaneous";
  }
  return "client";
}

std::vector<std::string> EchoLabOptions::client_messages() const {
  if (size > 0) {
    // A recognisable pattern rather than zeros: a student can see in a segment which part of the message it is.
    std::string message(size, '\0');
    const std::string_view alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (std::size_t i = 0; i < size; ++i) message[i] = alphabet[i % alphabet.size()];
    return {message};
  }
  if (!messages.empty()) return messages;
  return {"Hello?"};
}

int run_echo_lab(const EchoLabOptions& options) {
  // Isolation first, while the process still has a single thread.
  if (options.netns == NetnsMode::private_ns) enter_private_network();
  std::unique_ptr<TwoHosts> hosts;
  if (options.uses_wire())
    hosts = std::make_unique<TwoHosts>(TwoHosts::create(HostsConfig::for_lab(options.two_hosts, options.ipv6, options.mtu)));

  RenderChoice choice;
  choice.format = options.format;
  choice.annotate = options.annotate;
  choice.absolute = options.absolute;
  choice.color = options.color;
  const auto renderer = make_renderer(choice);
  // The lab knows its own server: listening, or (--no-server) not there at all.
  const lab::flow::Listener listener = options.no_server ? lab::flow::Listener::nobody : lab::flow::Listener::listening;
  // Written by a thread of its own, so that a slow terminal never holds up the wire (background_output.hpp).
  BackgroundOutput output(write_stdout);
  lab::timeline::Explainer explainer(*renderer, {options.absolute, options.wireshark_rules, listener},
                                     [&output](std::string_view text) { output.write(text); });

  if (hosts) say_two_hosts(options, *hosts, output);
  const ExchangeResult result = run_exchange(options, hosts.get(), explainer);

  std::string tip;
  if (hosts) tip = wire_report(options, result, *hosts) + "\n";
  tip += unmatched_drops_text(result.unmatched_drops);
  if (options.close == CloseStyle::half_close && options.slow_reader_ms == 0)
    tip += "In this half-close the server waited 20 ms before its first recv(), so that the client's FIN arrived "
           "before the echo left: the server went on talking after the client had said it was done.\n";
  if (result.client && !result.client->ok && failure_expected(options))
    tip += fmt::format("The client's outcome, as this scenario intends: {}.\n", result.client->error);
  tip += next_lesson(options, result);
  std::string lab_fields = unmatched_drops_json(result.unmatched_drops);
  if (options.application == Application::https_ping) lab_fields += "," + https_json_fields(result.tls);
  explainer.finish(tip, result.kernel_dropped, lab_fields);
  output.finish();  // everything written before the verdict below (and a write error reported as one)

  if (!result.client) {
    std::fprintf(stderr, "lab: the lab did not finish in time\n");
    return 1;
  }
  if (!result.client->ok && !failure_expected(options)) {
    std::fprintf(stderr, "lab: %s\n", result.client->error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace lab::labs
