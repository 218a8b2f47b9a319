// Each subcommand: an options struct (labs/*.hpp), a setup function that declares its flags with their
// checks, and a run function. Parse errors are usage errors (exit 2); environment errors are one line.
#include "labs/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "capture/pcap/pcap_error.hpp"
#include "echo/udp_limit.hpp"
#include "labs/annotate_file.hpp"
#include "labs/capture_live.hpp"
#include "labs/compare_lab.hpp"
#include "labs/echo_lab.hpp"
#include "labs/net/netns.hpp"

namespace lab::labs {
namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int exit_environment = 3;

// A number within [min, max], checked on the text as typed: "abc" is not a number, "70000" is out of range, and
// each says so (CLI11's Range says "not in range" for both).
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

// --format, --color and --absolute: every command that prints a timeline has them. Choices are words checked
// against their lists at parse time, so a wrong value gets CLI11's plain "--format: xml not in {text,json}".
struct OutputFlags {
  std::string format = "text";
  std::string color = "auto";
  bool absolute = false;
  std::string wireshark = lab::flow::wireshark_rules_name(lab::flow::default_wireshark_rules);

  void add_to(CLI::App& app) {
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
  // Copies the choices into a command's options (each has format, color and absolute).
  template <typename Options>
  Options applied_to(Options o) const {
    o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
    o.color = color == "always" ? ColorMode::always : color == "never" ? ColorMode::never : ColorMode::automatic;
    o.absolute = absolute;
    o.wireshark_rules = *lab::flow::parse_wireshark_rules(wireshark);  // checked at parse
    return o;
  }
};

// --drop, --loss, --seed, --delay: the lab's wire between two hosts (labs/net/wire.hpp).
struct FaultFlags {
  std::vector<std::string> drops;
  FaultOptions faults;

  void add_to(CLI::App& app) {
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
  FaultOptions resolved() const {
    FaultOptions o = faults;
    std::string error;
    for (const std::string& text : drops) o.drops.push_back(*parse_drop_rule(text, error));  // checked at parse
    return o;
  }
};

struct EchoLabFlags {
  EchoLabOptions options;
  OutputFlags output;
  FaultFlags faults;
  std::string netns = "private";
  std::string close = "client";

  EchoLabOptions resolved() const {
    EchoLabOptions o = output.applied_to(options);
    o.netns = netns == "host" ? NetnsMode::host : NetnsMode::private_ns;
    o.faults = faults.resolved();
    for (CloseStyle style : {CloseStyle::client_first, CloseStyle::server_first, CloseStyle::abort, CloseStyle::unread,
                             CloseStyle::half_close, CloseStyle::simultaneous}) {
      if (close == close_style_name(style)) o.close = style;
    }
    return o;
  }
};

void setup_echo_lab(CLI::App& app, EchoLabFlags& flags, Transport transport) {
  const bool tcp = transport == Transport::tcp;
  EchoLabOptions& o = flags.options;
  o.transport = transport;
  app.add_flag("--annotate,-a", o.annotate, "Explain every packet in plain language (text output)");
  app.add_option("--message,-m", o.messages, "A message for the client to send (repeatable; default \"Hello?\")")
      ->type_name("TEXT");
  app.add_option("--port,-p", o.port, tcp ? "Server port (default 65432)" : "Server port (default 5005)")
      ->check(number_in(1, 65535));
  app.add_option("--write,-w", o.write_path, "Also write the captured packets to a pcap file (opens in Wireshark)")
      ->type_name("FILE");
  app.add_flag("--ipv6,-6", o.ipv6, "Run over IPv6 (::1, or fd00::1 and fd00::2 between two hosts) instead of IPv4");
  flags.output.add_to(app);
  app.add_option("--netns", flags.netns,
                 "private (default): a private network namespace, no root needed; host: this machine's own "
                 "loopback (needs capture rights)")
      ->check(CLI::IsMember({"private", "host"}));
  auto* size = app.add_option("--size", o.size, "Send one message of this many bytes instead (e.g. 100000)")
                   ->check(number_in(1, 16 * 1024 * 1024))
                   ->type_name("BYTES");
  size->excludes(app.get_option("--message"));
  app.add_flag("--no-server", o.no_server,
               tcp ? "Start no server: the connect() is answered by RST (connection refused)"
                   : "Start no server: the datagram is answered by ICMP port unreachable");
  flags.faults.add_to(app);
  if (tcp) {
    app.add_option("--close", flags.close,
                   "How the connection ends: client (default: the client closes first), server (the server does), "
                   "abort (the client closes with SO_LINGER 0: RST), unread (the server closes with unread data: "
                   "RST), half (the client shutdown()s its sending side, the server keeps talking), simultaneous "
                   "(both at once: the FINs cross)")
        ->check(CLI::IsMember({"client", "server", "abort", "unread", "half", "simultaneous"}));
    app.add_option("--mss", o.mss, "Maximum segment size for both sides (TCP_MAXSEG): smaller segments, e.g. 536")
        ->check(number_in(88, 65495))
        ->type_name("BYTES");
    app.add_option("--slow-reader", o.slow_reader_ms,
                   "The server waits this long before each recv(): its receive window fills up")
        ->check(number_in(0, 5000))
        ->type_name("MS");
    app.add_option("--rcvbuf", o.receive_buffer, "The server's receive buffer (SO_RCVBUF), e.g. 4096: a small window")
        ->check(number_in(1024, 64 * 1024 * 1024))
        ->type_name("BYTES");
  } else {
    app.add_option("--timeout", o.reply_timeout_ms, "How long the client waits for each reply, in ms (default 2000)")
        ->check(number_in(1, 60000));
    app.add_flag("--connect", o.connect_udp,
                 "The client connect()s its UDP socket: then an ICMP error (e.g. port unreachable) reaches it");
  }
  app.footer(tcp ? "Examples:\n  lab tcp-echo --annotate\n  lab tcp-echo --annotate --message Hi --message Bye\n"
                   "  lab tcp-echo --format json --write hello.pcap\n"
                   "Things going wrong, on purpose:\n"
                   "  lab tcp-echo --annotate --drop syn            (the SYN is lost: retransmitted after 1 s)\n"
                   "  lab tcp-echo --annotate --drop request        (lost data: a tail-loss probe or a timeout)\n"
                   "  lab tcp-echo --annotate --loss 20 --seed 7 --message A --message B --message C\n"
                   "  lab tcp-echo --annotate --no-server           (connection refused: RST)\n"
                   "  lab tcp-echo --annotate --close abort         (RST instead of FIN; also: unread)\n"
                   "  lab tcp-echo --annotate --close server        (also: half, simultaneous)\n"
                   "  lab tcp-echo --annotate --size 20000 --mss 1000   (segments, cumulative and delayed ACKs)\n"
                   "  lab tcp-echo --annotate --size 40000 --slow-reader 100 --rcvbuf 8192   (the window fills)"
                 : "Examples:\n  lab udp-echo --annotate\n  lab udp-echo --format json --write hello-udp.pcap\n"
                   "Things going wrong, on purpose:\n"
                   "  lab udp-echo --annotate --drop reply          (UDP does nothing: the client times out)\n"
                   "  lab udp-echo --annotate --no-server           (ICMP port unreachable, unheard)\n"
                   "  lab udp-echo --annotate --no-server --connect (a connected socket hears it: refused)");
}

struct CompareFlags {
  CompareOptions options;
  OutputFlags output;
  FaultFlags faults;
  CompareOptions resolved() const {
    CompareOptions o = output.applied_to(options);
    o.faults = faults.resolved();
    return o;
  }
};

void setup_compare(CLI::App& app, CompareFlags& flags) {
  CompareOptions& o = flags.options;
  app.add_option("--message,-m", o.messages, "A message to send (repeatable; default \"Hello?\")")->type_name("TEXT");
  app.add_option("--size", o.size, "Send one message of this many bytes instead")
      ->check(number_in(1, 16 * 1024 * 1024))
      ->type_name("BYTES")
      ->excludes(app.get_option("--message"));
  app.add_option("--timeout", o.reply_timeout_ms, "How long the UDP client waits for each reply, in ms (default 1000)")
      ->check(number_in(1, 60000));
  app.add_flag("--ipv6,-6", o.ipv6, "Run over IPv6");
  flags.faults.add_to(app);
  flags.output.add_to(app);
  app.footer("Examples:\n  lab compare\n  lab compare --message Hi --message Bye\n"
             "  lab compare --drop reply          (TCP resends the lost echo; UDP's is gone)\n"
             "  lab compare --loss 30 --seed 4 --message A --message B --message C --format json");
}

struct AnnotateFlags {
  AnnotateFileOptions options;
  OutputFlags output;
  AnnotateFileOptions resolved() const { return output.applied_to(options); }
};

void setup_annotate(CLI::App& app, AnnotateFlags& flags) {
  AnnotateFileOptions& o = flags.options;
  app.add_option("FILE", o.path, "A pcap or pcapng file (from tcpdump -w, tshark -w, Wireshark, lab --write)")
      ->required();
  app.add_option("--filter", o.filter, "Only packets matching this BPF filter, as tcpdump takes it")
      ->type_name("EXPR");
  flags.output.add_to(app);
  app.footer("Examples:\n  lab annotate capture.pcap\n  lab annotate capture.pcapng --filter \"tcp port 80\"\n"
             "  lab annotate capture.pcap --format json > timeline.jsonl");
}

struct CaptureFlags {
  CaptureOptions options;
  OutputFlags output;
  CaptureOptions resolved() const { return output.applied_to(options); }
};

void setup_capture(CLI::App& app, CaptureFlags& flags) {
  CaptureOptions& o = flags.options;
  app.add_option("--interface,-i", o.interface, "The interface to capture on (default lo; see --list-interfaces)");
  app.add_flag("--list-interfaces,-D", o.list_interfaces, "List the interfaces and exit (like tshark -D)");
  app.add_option("--filter", o.filter, "Only packets matching this BPF filter, as tcpdump takes it")->type_name("EXPR");
  app.add_option("--write,-w", o.write_path, "Also write the packets to a pcap file")->type_name("FILE");
  app.add_option("--count,-c", o.max_packets, "Stop after this many packets")->check(number_in(1, 1'000'000'000));
  app.add_option("--duration", o.max_seconds, "Stop after this many seconds")->check(number_in(0.001, 86400.0));
  flags.output.add_to(app);
  app.add_option("command", o.command,
                 "After --: a command to run in lab's private network namespace; its loopback traffic is "
                 "captured until it exits (no root needed)")
      ->type_name("COMMAND");
  app.footer("Ctrl-C ends the capture and prints the summary.\nExamples:\n"
             "  lab capture -- python3 echo_server.py        (no root needed: runs it in a private namespace)\n"
             "  sudo lab capture --filter \"tcp port 8000\" --count 20\n"
             "  lab capture --list-interfaces");
}

// udp-echo with a message no datagram can carry: refused before the run, with the limit and its reason
// (the kernel would refuse it too, with EMSGSIZE). Empty when every message fits.
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

int run_cli(int argc, char** argv) {
  CLI::App app{"lab: a socket lab that shows what TCP and UDP really put on the wire, and explains it."};
  app.require_subcommand(1);
  app.footer("Start with:  lab tcp-echo --annotate\nThen:       lab udp-echo --annotate, lab compare, and lab tcp-echo --help for\n            the scenarios where things go wrong (lost packets, RST, refused connections).\nEach command has --help with examples.");

  EchoLabFlags tcp_flags, udp_flags;
  auto* tcp_echo = app.add_subcommand("tcp-echo", "A TCP echo server and client (port 65432), their packets captured and explained");
  setup_echo_lab(*tcp_echo, tcp_flags, Transport::tcp);
  auto* udp_echo = app.add_subcommand("udp-echo", "The same over UDP (port 5005): no handshake, no acks, no teardown");
  setup_echo_lab(*udp_echo, udp_flags, Transport::udp);
  AnnotateFlags annotate_flags;
  auto* annotate = app.add_subcommand("annotate", "Explain every packet of a capture file made elsewhere (pcap, pcapng)");
  setup_annotate(*annotate, annotate_flags);
  CaptureFlags capture_flags;
  auto* capture = app.add_subcommand("capture", "Explain live traffic of any program (or of a command lab runs)");
  setup_capture(*capture, capture_flags);
  CompareFlags compare_flags;
  auto* compare = app.add_subcommand("compare", "TCP and UDP side by side: packets, bytes, overhead, lost data");
  setup_compare(*compare, compare_flags);

  if (argc <= 1) {  // a bare `lab` is a request for guidance, not an error
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  // A first word that is no command (and no option) is named as such; CLI11 would only say a command is required.
  if (argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    const std::function<bool(const CLI::App*)> every = [](const CLI::App*) { return true; };
    for (const CLI::App* sub : std::as_const(app).get_subcommands(every)) known = known || sub->check_name(word);
    if (!known) {
      std::fprintf(stderr, "lab: %s is not a command: the commands are tcp-echo, udp-echo, annotate, capture and compare "
                           "(see lab --help)\n", word.c_str());
      return exit_usage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lab: %s (see lab --help)\n", e.what());
    return exit_usage;
  }

  for (const auto& [command, flags] : {std::pair{tcp_echo, &tcp_flags}, std::pair{udp_echo, &udp_flags}}) {
    if (!command->parsed()) continue;
    const EchoLabOptions o = flags->resolved();
    for (const DropRule& rule : o.faults.drops) {
      if (o.transport == Transport::udp && rule.kind != PacketKind::request && rule.kind != PacketKind::reply) {
        std::fprintf(stderr, "lab: --drop %s: UDP has no %s (no handshake, no teardown); for udp-echo, --drop takes "
                             "request or reply\n", packet_kind_name(rule.kind), packet_kind_name(rule.kind));
        return exit_usage;
      }
    }
    if (o.transport == Transport::udp) {
      if (const std::string error = too_large_for_udp(o); !error.empty()) {
        std::fprintf(stderr, "lab: %s\n", error.c_str());
        return exit_usage;
      }
    }
    if (o.uses_wire() && o.netns == NetnsMode::host) {
      std::fprintf(stderr, "lab: --drop, --loss, --delay, --size, --mss, --slow-reader, --rcvbuf and --close simultaneous "
                           "run between the lab's two private hosts: leave out --netns host\n");
      return exit_usage;
    }
  }
  try {
    if (tcp_echo->parsed()) return run_echo_lab(tcp_flags.resolved());
    if (udp_echo->parsed()) return run_echo_lab(udp_flags.resolved());
    if (annotate->parsed()) return run_annotate_file(annotate_flags.resolved());
    if (capture->parsed()) return run_capture(capture_flags.resolved());
    if (compare->parsed()) return run_compare(compare_flags.resolved());
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
  return exit_usage;
}

}  // namespace lab::labs
