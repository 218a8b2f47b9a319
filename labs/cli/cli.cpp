// The `lab` command: each subcommand lives in its own file (labs/cli/<name>.cpp: its options, a setup function
// that declares its flags with their checks, and a run function bound to it). Parse errors are usage errors
// (exit 2); environment errors are one line.
#include "labs/cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "labs/cli/annotate.hpp"
#include "labs/cli/app.hpp"
#include "labs/cli/capture.hpp"
#include "labs/cli/client.hpp"
#include "labs/cli/common.hpp"
#include "labs/cli/compare.hpp"
#include "labs/cli/http_ping.hpp"
#include "labs/cli/https_ping.hpp"
#include "labs/cli/list.hpp"
#include "labs/cli/net.hpp"
#include "labs/cli/server.hpp"
#include "labs/cli/tcp_echo.hpp"
#include "labs/cli/udp_echo.hpp"

namespace lab::labs {

void add_commands(CLI::App& app) {
  app.require_subcommand(1);
  app.footer("Start with:  lab tcp-echo --annotate\nThen:       lab udp-echo --annotate, lab compare, and lab tcp-echo --help for\n            the scenarios where things go wrong (lost packets, RST, refused connections).\nEach command has --help with examples.");
  app.set_version_flag("--version", std::string("lab ") + LAB_VERSION);
  // In the order --help lists them, each in its group (lab list shows the same groups).
  const auto in_group = [&app](const char* name, const char* group) { app.get_subcommand(name)->group(group); };
  cli::setup_tcp_echo(app);
  in_group("tcp-echo", cli::group_labs);
  cli::setup_udp_echo(app);
  in_group("udp-echo", cli::group_labs);
  cli::setup_compare(app);
  in_group("compare", cli::group_labs);
  cli::setup_http_ping(app);
  in_group("http-ping", cli::group_labs);
  cli::setup_https_ping(app);
  in_group("https-ping", cli::group_labs);
  cli::setup_annotate(app);
  in_group("annotate", cli::group_tools);
  cli::setup_capture(app);
  in_group("capture", cli::group_tools);
  cli::setup_list(app);
  in_group("list", cli::group_tools);
  cli::setup_server(app);
  in_group("server", cli::group_classroom);
  cli::setup_client(app);
  in_group("client", cli::group_classroom);
  cli::setup_net(app);
  in_group("net", cli::group_classroom);
}

int run_cli(int argc, char** argv) {
  CLI::App app{app_description};
  add_commands(app);

  if (argc <= 1) {  // a bare `lab` is a request for guidance, not an error
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  // A first word that is no command (and no option) is named as such; CLI11 would only say a command is required.
  if (argv[1][0] != '-') {
    if (const std::string error = cli::not_a_command(app, argv[1]); !error.empty()) {
      std::fputs(error.c_str(), stderr);
      return cli::exit_usage;
    }
  }
  // The chosen subcommand runs from within parse(), once the whole line has parsed (cli::bind_run).
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RuntimeError& e) {  // the subcommand's own exit code, its message already printed
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "lab: %s (see lab --help)\n", e.what());
    return cli::exit_usage;
  }
  return 0;
}

}  // namespace lab::labs
