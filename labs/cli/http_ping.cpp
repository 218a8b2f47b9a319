#include "labs/cli/http_ping.hpp"

#include <memory>


namespace lab::labs::cli {

void setup_http_ping(CLI::App& app) {
  auto flags = std::make_shared<EchoLabFlags>();
  auto* sub = app.add_subcommand(
      "http-ping", "An HTTP server (port 8080) and a client calling GET /ping, their packets captured and explained");
  // The echo labs' options, but for what only an echo has (--message, --size, --no-server).
  add_echo_options(*sub, *flags, Transport::tcp, Application::http_ping);
  EchoLabOptions& o = flags->options;
  sub->add_option("--requests,-n", o.requests, "How many GET /ping requests the client sends (default 1)")
      ->check(number_in(1, 100))
      ->type_name("N");
  sub->add_flag("--keep-alive,-k", o.keep_alive,
                "All requests on one connection, which the client closes at the end (its FIN first); without it, "
                "one connection per request with \"Connection: close\", and the server closes first");
  sub->footer("Examples:\n  lab http-ping --annotate\n"
              "  lab http-ping --annotate --requests 2 --keep-alive   (one connection; the client closes first)\n"
              "  lab http-ping --annotate --requests 2                (two connections; the server closes first)\n"
              "  lab http-ping --format json --write ping.pcap        (then: tshark -r ping.pcap -Y http)\n"
              "  lab http-ping --annotate --drop reply                (the lost response is retransmitted)\n"
              "The server alone, for curl:  lab server http    then:  curl -i http://127.0.0.1:8080/ping");
  bind_run(*sub, [flags] { return run_http_ping(*flags); });
}

int run_http_ping(const EchoLabFlags& flags) {
  return run_echo_lab_checked(flags.resolved());  // the options say Application::http_ping (add_echo_options)
}

}  // namespace lab::labs::cli
