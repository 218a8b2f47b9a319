#include "labs/cli/client.hpp"

#include <memory>

#include "labs/cli/common.hpp"

namespace lab::labs::cli {

ClientRunOptions ClientFlags::resolved() const {
  ClientRunOptions o = options;
  o.transport = protocol == "udp" ? Transport::udp : Transport::tcp;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

void setup_client(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  auto* sub = app.add_subcommand("client", "An echo client on its own, for any echo server: lab server, your script");
  ClientRunOptions& o = flags->options;
  sub->add_option("protocol", flags->protocol, "tcp (port 65432) or udp (port 5005); default tcp")
      ->check(CLI::IsMember({"tcp", "udp"}));
  sub->add_option("--host,-H", o.host, "The server's address or name (default 127.0.0.1)")->type_name("HOST");
  sub->add_option("--port,-p", o.port, "The server's port (default 65432 for TCP, 5005 for UDP)")
      ->check(number_in(1, 65535));
  sub->add_option("--message,-m", o.messages,
                  "A message to send (repeat for more); without it, each line typed (or piped in) is one, "
                  "without its newline, until end of input (Ctrl-D)")
      ->type_name("TEXT");
  sub->add_option("--timeout", o.reply_timeout_ms, "How long to wait for each echo, in ms (default 2000)")
      ->check(number_in(1, 600000));
  sub->add_option("--format", flags->format, "text (default) or json: one object per line")
      ->check(CLI::IsMember({"text", "json"}));
  sub->footer("Examples:\n"
              "  lab client tcp -m Hello?               (to lab server tcp, or any TCP echo server on port 65432)\n"
              "  lab client udp -m one -m two\n"
              "  lab client tcp --host 192.168.1.20     (then type lines; Ctrl-D or Ctrl-C ends it)");
  bind_run(*sub, [flags] { return run_client(*flags); });
}

int run_client(const ClientFlags& flags) { return run_echo_client(flags.resolved()); }

}  // namespace lab::labs::cli
