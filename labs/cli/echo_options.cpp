#include "labs/cli/echo_options.hpp"

#include <cstdio>

namespace lab::labs::cli {

EchoLabOptions EchoLabFlags::resolved() const {
  EchoLabOptions o = output.applied_to(options);
  o.netns = netns == "host" ? NetnsMode::host : NetnsMode::private_ns;
  o.faults = faults.resolved();
  o.two_hosts = topology.two_hosts();
  o.mtu = topology.mtu;
  for (CloseStyle style : {CloseStyle::client_first, CloseStyle::server_first, CloseStyle::abort, CloseStyle::unread,
                           CloseStyle::half_close, CloseStyle::simultaneous}) {
    if (close == close_style_name(style)) o.close = style;
  }
  return o;
}

void add_echo_options(CLI::App& app, EchoLabFlags& flags, Transport transport, Application application) {
  const bool tcp = transport == Transport::tcp;
  const bool echo = application == Application::echo;
  EchoLabOptions& o = flags.options;
  o.transport = transport;
  o.application = application;
  app.add_flag("--annotate,-a", o.annotate, "Explain every packet in plain language (text output)");
  if (echo)
    app.add_option("--message,-m", o.messages, "A message for the client to send (repeatable; default \"Hello?\")")
        ->type_name("TEXT");
  app.add_option("--port,-p", o.port,
                 application == Application::https_ping ? "Server port (default 8443)"
                 : !echo ? "Server port (default 8080)" : tcp ? "Server port (default 65432)" : "Server port (default 5005)")
      ->check(number_in(1, 65535));
  app.add_option("--write,-w", o.write_path, "Also write the captured packets to a pcap file (opens in Wireshark)")
      ->type_name("FILE");
  app.add_flag("--ipv6,-6", o.ipv6, "Run over IPv6 (::1, or fd00::1 and fd00::2 between two hosts) instead of IPv4");
  flags.output.add_to(app);
  app.add_option("--netns", flags.netns,
                 "private (default): a private network namespace, no root needed; host: this machine's own "
                 "loopback (needs capture rights)")
      ->check(CLI::IsMember({"private", "host"}));
  if (echo) {
    auto* size = app.add_option("--size", o.size, "Send one message of this many bytes instead (e.g. 100000)")
                     ->check(number_in(1, 16 * 1024 * 1024))
                     ->type_name("BYTES");
    size->excludes(app.get_option("--message"));
    app.add_flag("--no-server", o.no_server,
                 tcp ? "Start no server: the connect() is answered by RST (connection refused)"
                     : "Start no server: the datagram is answered by ICMP port unreachable");
  }
  flags.faults.add_to(app);
  flags.topology.add_to(app);
}

int run_echo_lab_checked(const EchoLabOptions& o) {
  if (o.uses_wire() && o.netns == NetnsMode::host) {
    std::fprintf(stderr, "lab: --drop, --loss, --delay, --size, --mss, --slow-reader, --rcvbuf, --close simultaneous, "
                         "--topology two-hosts and --mtu run between the lab's two private hosts: leave out --netns "
                         "host\n");
    return exit_usage;
  }
  if (const std::string problem = topology_problem(o.two_hosts, o.mtu, o.ipv6); !problem.empty()) {
    std::fputs(problem.c_str(), stderr);
    return exit_usage;
  }
  return lab::labs::run_echo_lab(o);
}

}  // namespace lab::labs::cli
