#include "labs/cli/udp_echo.hpp"

#include <cstddef>
#include <cstdio>
#include <memory>
#include <string>

#include "echo/udp_limit.hpp"

namespace lab::labs::cli {
namespace {

// A message no datagram can carry: refused before the run, with the limit and its reason (the kernel would
// refuse it too, with EMSGSIZE). Empty when every message fits.
std::string too_large_for_udp(const EchoLabOptions& o) {
  const std::size_t limit = lab::echo::udp_max_payload(o.ipv6);
  std::string option;
  if (o.size > limit) option = "--size " + std::to_string(o.size);
  for (const std::string& message : o.messages) {
    if (option.empty() && message.size() > limit) option = "--message of " + std::to_string(message.size()) + " bytes";
  }
  if (option.empty()) return {};
  return option + ": too large for UDP: " + lab::echo::udp_limit_reason(o.ipv6) + "; use --size " +
         std::to_string(limit) + " or less, or lab tcp-echo, which streams any size";
}

}  // namespace

void setup_udp_echo(CLI::App& app) {
  auto flags = std::make_shared<EchoLabFlags>();
  auto* sub = app.add_subcommand("udp-echo", "The same over UDP (port 5005): no handshake, no acks, no teardown");
  add_echo_options(*sub, *flags, Transport::udp);
  EchoLabOptions& o = flags->options;
  sub->add_option("--timeout", o.reply_timeout_ms, "How long the client waits for each reply, in ms (default 2000)")
      ->check(number_in(1, 60000));
  sub->add_flag("--connect", o.connect_udp,
                "The client connect()s its UDP socket: then an ICMP error (e.g. port unreachable) reaches it");
  sub->footer("Examples:\n  lab udp-echo --annotate\n  lab udp-echo --format json --write hello-udp.pcap\n"
              "Things going wrong, on purpose:\n"
              "  lab udp-echo --annotate --drop reply          (UDP does nothing: the client times out)\n"
              "  lab udp-echo --annotate --no-server           (ICMP port unreachable, unheard)\n"
              "  lab udp-echo --annotate --no-server --connect (a connected socket hears it: refused)");
  bind_run(*sub, [flags] { return run_udp_echo(*flags); });
}

int run_udp_echo(const EchoLabFlags& flags) {
  const EchoLabOptions o = flags.resolved();
  for (const DropRule& rule : o.faults.drops) {
    if (rule.kind != PacketKind::request && rule.kind != PacketKind::reply) {
      std::fprintf(stderr, "lab: --drop %s: UDP has no %s (no handshake, no teardown); for udp-echo, --drop takes "
                           "request or reply\n", packet_kind_name(rule.kind), packet_kind_name(rule.kind));
      return exit_usage;
    }
  }
  if (const std::string error = too_large_for_udp(o); !error.empty()) {
    std::fprintf(stderr, "lab: %s\n", error.c_str());
    return exit_usage;
  }
  return run_echo_lab_checked(o);
}

}  // namespace lab::labs::cli
