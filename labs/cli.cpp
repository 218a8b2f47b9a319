// Each subcommand: an options struct (labs/*.hpp), a setup function that declares its flags with their
// checks, and a run function. Parse errors are usage errors (exit 2); environment errors are one line.
#include "labs/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "capture/pcap/pcap_error.hpp"
#include "labs/annotate_file.hpp"
#include "labs/capture_live.hpp"
#include "labs/echo_lab.hpp"
#include "labs/netns.hpp"

namespace lab::labs {
namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;
constexpr int exit_environment = 3;

// --format, --color and --absolute: every command that prints a timeline has them. Choices are words checked
// against their lists at parse time, so a wrong value gets CLI11's plain "--format: xml not in {text,json}".
struct OutputFlags {
  std::string format = "text";
  std::string color = "auto";
  bool absolute = false;

  void add_to(CLI::App& app) {
    app.add_option("--format,-f", format, "text (default) or json: JSON lines, one object per event")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_flag("--absolute", absolute, "Show raw sequence numbers as well as relative ones");
    app.add_option("--color", color, "auto (default: on a terminal, unless NO_COLOR is set), always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}));
  }
  // Copies the choices into a command's options (each has format, color and absolute).
  template <typename Options>
  Options applied_to(Options o) const {
    o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
    o.color = color == "always" ? ColorMode::always : color == "never" ? ColorMode::never : ColorMode::automatic;
    o.absolute = absolute;
    return o;
  }
};

struct EchoLabFlags {
  EchoLabOptions options;
  OutputFlags output;
  std::string netns = "private";

  EchoLabOptions resolved() const {
    EchoLabOptions o = output.applied_to(options);
    o.netns = netns == "host" ? NetnsMode::host : NetnsMode::private_ns;
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
      ->check(CLI::Range(1, 65535));
  app.add_option("--write,-w", o.write_path, "Also write the captured packets to a pcap file (opens in Wireshark)")
      ->type_name("FILE");
  app.add_flag("--ipv6,-6", o.ipv6, "Run over IPv6 (::1) instead of IPv4 (127.0.0.1)");
  flags.output.add_to(app);
  app.add_option("--netns", flags.netns,
                 "private (default): a private network namespace, no root needed; host: this machine's own "
                 "loopback (needs capture rights)")
      ->check(CLI::IsMember({"private", "host"}));
  if (!tcp) {
    app.add_option("--timeout", o.reply_timeout_ms, "How long the client waits for each reply, in ms (default 2000)")
        ->check(CLI::Range(1, 60000));
  }
  app.footer(tcp ? "Examples:\n  lab tcp-echo --annotate\n  lab tcp-echo --annotate --message Hi --message Bye\n"
                   "  lab tcp-echo --format json --write hello.pcap"
                 : "Examples:\n  lab udp-echo --annotate\n  lab udp-echo --format json --write hello-udp.pcap");
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
  app.add_option("--count,-c", o.max_packets, "Stop after this many packets")->check(CLI::Range(1, 1'000'000'000));
  app.add_option("--duration", o.max_seconds, "Stop after this many seconds")->check(CLI::Range(0.001, 86400.0));
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

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"lab: a socket lab that shows what TCP and UDP really put on the wire, and explains it."};
  app.require_subcommand(1);
  app.footer("Start with:  lab tcp-echo --annotate\nEach command has --help with examples.");

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

  if (argc <= 1) {  // a bare `lab` is a request for guidance, not an error
    std::fputs(app.help().c_str(), stdout);
    return 0;
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

  try {
    if (tcp_echo->parsed()) return run_echo_lab(tcp_flags.resolved());
    if (udp_echo->parsed()) return run_echo_lab(udp_flags.resolved());
    if (annotate->parsed()) return run_annotate_file(annotate_flags.resolved());
    if (capture->parsed()) return run_capture(capture_flags.resolved());
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
