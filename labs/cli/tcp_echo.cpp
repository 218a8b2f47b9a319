#include "labs/cli/tcp_echo.hpp"

#include <memory>

namespace lab::labs::cli {

void setup_tcp_echo(CLI::App& app) {
  auto flags = std::make_shared<EchoLabFlags>();
  auto* sub =
      app.add_subcommand("tcp-echo", "A TCP echo server and client (port 65432), their packets captured and explained");
  add_echo_options(*sub, *flags, Transport::tcp);
  EchoLabOptions& o = flags->options;
  sub->add_option("--close", flags->close,
                  "How the connection ends: client (default: the client closes first), server (the server does), "
                  "abort (the client closes with SO_LINGER 0: RST), unread (the server closes with unread data: "
                  "RST), half (the client shutdown()s its sending side, the server keeps talking), simultaneous "
                  "(both at once: the FINs cross)")
      ->check(CLI::IsMember({"client", "server", "abort", "unread", "half", "simultaneous"}));
  sub->add_option("--mss", o.mss, "Maximum segment size for both sides (TCP_MAXSEG): smaller segments, e.g. 536")
      ->check(number_in(88, 65495))
      ->type_name("BYTES");
  sub->add_option("--slow-reader", o.slow_reader_ms,
                  "The server waits this long before each recv(): its receive window fills up")
      ->check(number_in(0, 5000))
      ->type_name("MS");
  sub->add_option("--rcvbuf", o.receive_buffer, "The server's receive buffer (SO_RCVBUF), e.g. 4096: a small window")
      ->check(number_in(1024, 64 * 1024 * 1024))
      ->type_name("BYTES");
  sub->footer("Examples:\n  lab tcp-echo --annotate\n  lab tcp-echo --annotate --message Hi --message Bye\n"
              "  lab tcp-echo --format json --write hello.pcap\n"
              "Things going wrong, on purpose:\n"
              "  lab tcp-echo --annotate --drop syn            (the SYN is lost: retransmitted after 1 s)\n"
              "  lab tcp-echo --annotate --drop request        (lost data: a tail-loss probe or a timeout)\n"
              "  lab tcp-echo --annotate --loss 20 --seed 7 --message A --message B --message C\n"
              "  lab tcp-echo --annotate --no-server           (connection refused: RST)\n"
              "  lab tcp-echo --annotate --close abort         (RST instead of FIN; also: unread)\n"
              "  lab tcp-echo --annotate --close server        (also: half, simultaneous)\n"
              "  lab tcp-echo --annotate --size 20000 --mss 1000   (segments, cumulative and delayed ACKs)\n"
              "  lab tcp-echo --annotate --size 40000 --slow-reader 100 --rcvbuf 8192   (the window fills)");
  bind_run(*sub, [flags] { return run_tcp_echo(*flags); });
}

int run_tcp_echo(const EchoLabFlags& flags) { return run_echo_lab_checked(flags.resolved()); }

}  // namespace lab::labs::cli
