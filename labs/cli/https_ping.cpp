#include "labs/cli/https_ping.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace lab::labs::cli {

void setup_https_ping(CLI::App& app) {
  auto flags = std::make_shared<EchoLabFlags>();
  auto* sub = app.add_subcommand(
      "https-ping", "An HTTPS server (port 8443) and a client calling GET /ping over TLS, their packets captured and explained");
  // http-ping's options (the echo labs' less --message, --size, --no-server), and TLS's own.
  add_echo_options(*sub, *flags, Transport::tcp, Application::https_ping);
  EchoLabOptions& o = flags->options;
  sub->add_option("--requests,-n", o.requests, "How many GET /ping requests the client sends (default 1)")
      ->check(number_in(1, 100))
      ->type_name("N");
  sub->add_flag("--keep-alive,-k", o.keep_alive,
                "All requests on one TLS connection, which the client closes at the end; without it, one connection "
                "(and one handshake) per request with \"Connection: close\"");
  sub->add_option("--tls", o.tls_version,
                  "The TLS version the client insists on: 1.3 (default) or 1.2 (the server accepts both)")
      ->check(CLI::IsMember({"1.2", "1.3"}))
      ->type_name("1.2|1.3");
  sub->add_option("--keylog", o.keylog_path,
                  "Append the session keys to FILE in the SSLKEYLOGFILE format (created 0600), so that Wireshark can "
                  "decrypt the --write capture")
      ->type_name("FILE");
  sub->footer("Examples:\n  lab https-ping --annotate\n"
              "  lab https-ping --annotate --tls 1.2                 (the older handshake: two round trips)\n"
              "  lab https-ping --keylog keys.txt --write https.pcap  (then: tshark -r https.pcap -o "
              "tls.keylog_file:keys.txt -Y http)\n"
              "  lab https-ping --annotate --requests 2 --keep-alive  (one handshake for both)\n"
              "The client does not verify the server's throw-away self-signed certificate: it is a lab.");
  bind_run(*sub, [flags] { return run_https_ping(*flags); });
}

int run_https_ping(const EchoLabFlags& flags) {
  const EchoLabOptions o = flags.resolved();
  if (!o.keylog_path.empty()) {
    // Tried here, before the lab builds anything, so that a path that cannot be written is one line and exit 3;
    // the exchange opens it again to write (appending: this open added nothing).
    const int fd = ::open(o.keylog_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
      std::fprintf(stderr, "lab: cannot open the key log %s: %s (give a file in a directory you can write)\n",
                   o.keylog_path.c_str(), std::strerror(errno));
      return exit_environment;
    }
    ::close(fd);
  }
  return run_echo_lab_checked(o);  // the options say Application::https_ping (add_echo_options)
}

}  // namespace lab::labs::cli
