#include "labs/cli/common.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <utility>

#include "capture/pcap/pcap_error.hpp"
#include "labs/net/netns.hpp"

namespace lab::labs::cli {

CLI::Validator number_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end == text.c_str() || *end != '\0') return text + " is not a number";
        if (value < min || value > max) {
          char range[64];
          std::snprintf(range, sizeof range, "%.15g to %.15g", min, max);
          return text + " is out of range: from " + range;
        }
        return "";
      },
      "");
}

void OutputFlags::add_to(CLI::App& app) {
  app.add_option("--format,-f", format, "text (default) or json: JSON lines, one object per event")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("--absolute", absolute, "Show raw sequence numbers as well as relative ones");
  app.add_option("--color", color, "auto (default: on a terminal, unless NO_COLOR is set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_option("--wireshark", wireshark,
                 "Whose TCP analysis: Wireshark 4.4 (default) or 4.0 (Debian 12)")
      ->check(CLI::IsMember({"4.0", "4.4"}))
      ->type_name("VERSION");
}

void FaultFlags::add_to(CLI::App& app) {
  app.add_option("--drop", drops,
                 "Drop the N-th packet of a kind (default the first) on the wire: syn, syn-ack, ack (the "
                 "handshake's third), request, reply, fin; repeatable, e.g. --drop request --drop syn:2")
      ->type_name("KIND[:N]")
      ->check(CLI::Validator(
          [](std::string& text) {
            std::string error;
            if (parse_drop_rule(text, error)) return std::string();
            // CLI11 names the option itself: keep what follows "--drop TEXT: ".
            const auto colon = error.find(": ");
            return colon == std::string::npos ? error : error.substr(colon + 2);
          },
          ""));
  app.add_option("--loss", faults.loss_percent, "Lose this percentage of packets at random (reproducible: see --seed)")
      ->check(number_in(0.0, 100.0))
      ->type_name("PERCENT");
  app.add_option("--seed", faults.seed, "The seed of --loss: the same seed drops the same packets (default 1)");
  app.add_option("--delay", faults.delay_ms, "Delay every packet by this many ms, each way")
      ->check(number_in(0, 10000))
      ->type_name("MS");
}

void TopologyFlags::add_to(CLI::App& app) {
  app.add_option("--topology", topology,
                 "loopback (default): both sides on one loopback, or on the lab's quiet pair of hosts (10.0.0.1 and "
                 "10.0.0.2, no ARP) when a scenario needs the wire; two-hosts: each side on its own host of a "
                 "private pair built like lab net's (client 192.168.219.164, server 192.168.219.113), with "
                 "Ethernet and ARP on the wire")
      ->check(CLI::IsMember({"loopback", "two-hosts"}));
  app.add_option("--mtu", mtu,
                 "The two hosts' MTU in bytes (default 1500; runs on the wire): TCP's segments and UDP's IP fragments "
                 "follow it")
      ->check(number_in(576, 9000))
      ->type_name("BYTES");
}

std::string topology_problem(bool two_hosts, int mtu, bool ipv6) {
  if (!ipv6) return {};
  if (two_hosts)
    return "lab: --topology two-hosts is the classroom network's IPv4 pair (192.168.219.164 and .113, with ARP): "
           "leave out --ipv6\n";
  if (mtu > 0 && mtu < 1280) return "lab: IPv6 needs an MTU of at least 1280 bytes (RFC 8200)\n";
  return {};
}

FaultOptions FaultFlags::resolved() const {
  FaultOptions o = faults;
  std::string error;
  for (const std::string& text : drops) o.drops.push_back(*parse_drop_rule(text, error));  // checked at parse
  return o;
}

namespace {

// Exceptions are for the environment (STYLE.md): each becomes one line on stderr and its exit code.
int run_reporting_errors(const std::function<int()>& run) {
  try {
    return run();
  } catch (const NetnsError& e) {
    std::fprintf(stderr, "lab: %s\n", e.what());
    return exit_environment;
  } catch (const lab::pcap::CaptureError& e) {
    std::fprintf(stderr, "lab: %s\n", e.what());
    return e.kind() == lab::pcap::CaptureErrorKind::permission ? exit_environment : exit_failure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab: %s\n", e.what());
    return exit_failure;
  }
}

}  // namespace

void bind_run(CLI::App& command, std::function<int()> run) {
  command.callback([run = std::move(run)] {
    // CLI11's way to end with an exit code from a callback; run_cli returns it and prints nothing more.
    if (const int code = run_reporting_errors(run); code != 0) throw CLI::RuntimeError(code);
  });
}

std::string not_a_command(const CLI::App& app, const std::string& word) {
  const std::function<bool(const CLI::App*)> every = [](const CLI::App*) { return true; };
  std::string names;
  for (const CLI::App* sub : app.get_subcommands(every)) {
    if (sub->check_name(word)) return {};
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return "lab: " + word + " is not a command: the commands are " + names + " (see lab --help)\n";
}

}  // namespace lab::labs::cli
