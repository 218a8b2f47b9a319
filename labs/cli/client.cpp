#include "labs/cli/client.hpp"

#include <cstdio>
#include <memory>

#include "labs/cli/common.hpp"

namespace lab::labs::cli {

ClientRunOptions ClientFlags::resolved() const {
  ClientRunOptions o = options;
  o.transport = protocol == "udp" ? Transport::udp : Transport::tcp;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

HttpClientRunOptions ClientFlags::resolved_http() const {
  HttpClientRunOptions o = http;
  o.reply_timeout_ms = options.reply_timeout_ms;
  o.format = format == "json" ? OutputFormat::json : OutputFormat::text;
  return o;
}

void setup_client(CLI::App& app) {
  auto flags = std::make_shared<ClientFlags>();
  auto* sub = app.add_subcommand("client", "An echo or HTTP client on its own, for any server: lab server, your script");
  ClientRunOptions& o = flags->options;
  sub->add_option("protocol", flags->protocol, "tcp (port 65432), udp (port 5005) or http (then a URL); default tcp")
      ->check(CLI::IsMember({"tcp", "udp", "http"}));
  sub->add_option("url", flags->http.url, "http: the URL to GET, http://host[:port]/path")->type_name("URL");
  sub->add_option("--host,-H", o.host, "The server's address or name (default 127.0.0.1)")->type_name("HOST");
  sub->add_option("--port,-p", o.port, "The server's port (default 65432 for TCP, 5005 for UDP)")
      ->check(number_in(1, 65535));
  sub->add_option("--message,-m", o.messages,
                  "A message to send (repeat for more); without it, each line typed (or piped in) is one, "
                  "without its newline, until end of input (Ctrl-D)")
      ->type_name("TEXT");
  sub->add_option("--timeout", o.reply_timeout_ms, "How long to wait for each echo, in ms (default 2000)")
      ->check(number_in(1, 600000));
  sub->add_option("--requests,-n", flags->http.requests, "http: how many requests (default 1)")
      ->check(number_in(1, 1000))
      ->type_name("N");
  sub->add_flag("--keep-alive,-k", flags->http.keep_alive,
                "http: all requests on one connection, closed by the client at the end; without it one connection "
                "each, with \"Connection: close\"");
  sub->add_option("--format", flags->format, "text (default) or json: one object per line")
      ->check(CLI::IsMember({"text", "json"}));
  sub->footer("Examples:\n"
              "  lab client tcp -m Hello?               (to lab server tcp, or any TCP echo server on port 65432)\n"
              "  lab client udp -m one -m two\n"
              "  lab client tcp --host 192.168.1.20     (then type lines; Ctrl-D or Ctrl-C ends it)\n"
              "  lab client http http://127.0.0.1:8080/ping --requests 3 --keep-alive   (to lab server http)");
  bind_run(*sub, [flags] { return run_client(*flags); });
}

int run_client(const ClientFlags& flags) {
  const bool http = flags.protocol == "http";
  const char* problem = nullptr;
  if (http && flags.http.url.empty()) problem = "http needs a URL, e.g. lab client http http://127.0.0.1:8080/ping";
  else if (http && !flags.options.messages.empty()) problem = "http sends GET requests: --message is for tcp and udp";
  else if (http && (flags.options.host != "127.0.0.1" || flags.options.port != 0))
    problem = "http takes the host and port in its URL: leave out --host and --port";
  else if (!http && !flags.http.url.empty()) problem = "a URL is for lab client http; tcp and udp take --host and --port";
  else if (!http && (flags.http.requests != 1 || flags.http.keep_alive))
    problem = "--requests and --keep-alive are for lab client http";
  if (problem) {
    std::fprintf(stderr, "lab client: %s\n", problem);
    return exit_usage;
  }
  return http ? run_http_client(flags.resolved_http()) : run_echo_client(flags.resolved());
}

}  // namespace lab::labs::cli
