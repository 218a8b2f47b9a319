#include "labs/cli/server.hpp"

#include <cstdio>
#include <memory>

#include "labs/cli/common.hpp"

namespace lab::labs::cli {

ServerRunOptions ServerFlags::resolved() const {
  ServerRunOptions o = options;
  o.transport = protocol == "udp" ? Transport::udp : Transport::tcp;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

HttpServerRunOptions ServerFlags::resolved_http() const {
  HttpServerRunOptions o;
  o.bind = options.bind;
  o.port = options.port;
  o.idle_timeout_ms = idle_timeout_ms;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

void setup_server(CLI::App& app) {
  auto flags = std::make_shared<ServerFlags>();
  auto* sub = app.add_subcommand("server", "An echo or HTTP server on its own, for any client: lab client, nc, curl");
  sub->add_option("protocol", flags->protocol,
                  "tcp (port 65432), udp (port 5005) or http (port 8080: GET /ping); default tcp")
      ->check(CLI::IsMember({"tcp", "udp", "http"}));
  sub->add_option("--bind,-b", flags->options.bind,
                  "The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface, to serve other machines)")
      ->type_name("ADDR");
  sub->add_option("--port,-p", flags->options.port, "The port (default 65432 for TCP, 5005 for UDP, 8080 for HTTP)")
      ->check(number_in(1, 65535));
  sub->add_option("--idle-timeout", flags->idle_timeout_ms,
                  "http: close a keep-alive connection after this long without a request, in ms (default 5000)")
      ->check(number_in(1, 3600000))
      ->type_name("MS");
  sub->add_option("--format", flags->format, "text (default) or json: one object per line")
      ->check(CLI::IsMember({"text", "json"}));
  sub->footer("It logs each client and each message, with the kernel's TCP state; Ctrl-C stops it with a summary.\n"
              "Examples:\n"
              "  lab server tcp                      (then, in another terminal: lab client tcp -m Hello?)\n"
              "  lab server udp                      (try: echo Hello? | nc -u -w1 127.0.0.1 5005)\n"
              "  lab server tcp --bind 0.0.0.0       (for clients on other machines)\n"
              "  lab server http                     (then: curl -i http://127.0.0.1:8080/ping, or lab client http URL)");
  bind_run(*sub, [flags] { return run_server(*flags); });
}

int run_server(const ServerFlags& flags) {
  if (flags.protocol == "http") return run_http_server(flags.resolved_http());
  if (flags.idle_timeout_ms != 5000) {
    std::fputs("lab server: --idle-timeout is for lab server http: an echo server keeps a connection until its client "
               "closes it\n", stderr);
    return exit_usage;
  }
  return run_echo_server(flags.resolved());
}

}  // namespace lab::labs::cli
