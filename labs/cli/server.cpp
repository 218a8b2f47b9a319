#include "labs/cli/server.hpp"

#include <memory>

#include "labs/cli/common.hpp"

namespace lab::labs::cli {

ServerRunOptions ServerFlags::resolved() const {
  ServerRunOptions o = options;
  o.transport = protocol == "udp" ? Transport::udp : Transport::tcp;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

void setup_server(CLI::App& app) {
  auto flags = std::make_shared<ServerFlags>();
  auto* sub = app.add_subcommand("server", "An echo server on its own, for any client: lab client, nc, your script");
  sub->add_option("protocol", flags->protocol, "tcp (port 65432) or udp (port 5005); default tcp")
      ->check(CLI::IsMember({"tcp", "udp"}));
  sub->add_option("--bind,-b", flags->options.bind,
                  "The address to listen on (default 127.0.0.1; 0.0.0.0 for every interface, to serve other machines)")
      ->type_name("ADDR");
  sub->add_option("--port,-p", flags->options.port, "The port (default 65432 for TCP, 5005 for UDP)")
      ->check(number_in(1, 65535));
  sub->add_option("--format", flags->format, "text (default) or json: one object per line")
      ->check(CLI::IsMember({"text", "json"}));
  sub->footer("It logs each client and each message, with the kernel's TCP state; Ctrl-C stops it with a summary.\n"
              "Examples:\n"
              "  lab server tcp                      (then, in another terminal: lab client tcp -m Hello?)\n"
              "  lab server udp                      (try: echo Hello? | nc -u -w1 127.0.0.1 5005)\n"
              "  lab server tcp --bind 0.0.0.0       (for clients on other machines)");
  bind_run(*sub, [flags] { return run_server(*flags); });
}

int run_server(const ServerFlags& flags) { return run_echo_server(flags.resolved()); }

}  // namespace lab::labs::cli
