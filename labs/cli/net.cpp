#include "labs/cli/net.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "capture/render/escape.hpp"
#include "labs/cli/common.hpp"
#include "capture/decode/mac_address.hpp"
#include "labs/net/host_join.hpp"
#include "labs/net/netns.hpp"
#include "labs/net/standing_holder.hpp"
#include "labs/net/wire_feed.hpp"
#include "labs/net_watch.hpp"
#include <sys/socket.h>
#include <sys/un.h>
#include <cerrno>
#include <cstring>

namespace lab::labs::cli {

namespace {

struct UpFlags {
  std::string server_ip = HostsConfig::classroom().server_ip;
  std::string client_ip = HostsConfig::classroom().client_ip;
  int prefix = HostsConfig::classroom().prefix;
  int mtu = 1500;
  FaultFlags faults;
};

struct WatchFlags {
  NetWatchOptions options;
  OutputFlags output;
};

struct JoinFlags {
  std::string host;
  std::vector<std::string> command;
};

Host host_named(const std::string& name) { return name == "client" ? Host::client : Host::server; }

// The faults as lab net up was given them, for lab net status ("" for none).
std::string faults_text(const FaultFlags& flags) {
  std::string text;
  for (const std::string& drop : flags.drops) text += " --drop " + drop;
  if (flags.faults.loss_percent > 0)
    text += fmt::format(" --loss {} --seed {}", flags.faults.loss_percent, flags.faults.seed);
  if (flags.faults.delay_ms > 0) text += fmt::format(" --delay {}", flags.faults.delay_ms);
  return text.empty() ? text : text.substr(1);
}

StandingState running_or_throw(const char* command) {
  auto state = running_network();
  if (!state) throw NetnsError(std::string("net ") + command + ": no classroom network is running (lab net up starts one)");
  return *state;
}

std::string mac_text(Host host) {
  const auto bytes = TwoHosts::mac(host);
  lab::decode::MacAddress mac;
  std::copy(bytes.begin(), bytes.end(), mac.bytes.begin());
  return lab::decode::to_string(mac);
}

void append_json_string(std::string& out, const std::string& text) {
  out += '"';
  lab::render::append_json_text(out, text);
  out += '"';
}

// A command line for a terminal: what is not printable is shown as '?'.
std::string printable(std::string text) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return text;
}

int run_up(const UpFlags& flags) {
  StandingOptions options;
  options.hosts.server_ip = flags.server_ip;
  options.hosts.client_ip = flags.client_ip;
  options.hosts.prefix = flags.prefix;
  options.hosts.mtu = flags.mtu;
  options.faults = flags.faults.resolved();
  options.faults_text = faults_text(flags.faults);
  const StandingState state = start_standing_network(options);
  std::printf("Classroom network up: host server %s and host client %s on one /%d, MTU %d, joined by lab's wire "
              "(Ethernet, ARP); faults: %s.\n",
              state.server_ip.c_str(), state.client_ip.c_str(), state.prefix, state.mtu,
              state.faults.empty() ? "none" : state.faults.c_str());
  std::printf("From any terminal:\n"
              "  lab net exec server -- python3 classroom/tcp_server.py   run a program on a host\n"
              "  lab net shell client                                      a shell on a host\n"
              "  lab net watch                                             the wire's traffic, explained\n"
              "  lab net status                                            the hosts and what runs there\n"
              "  lab net down                                              end it all\n");
  return 0;
}

int run_down() {
  const auto state = running_network();
  if (!state) {
    std::printf("No classroom network was running.\n");
    return 0;
  }
  if (!stop_standing_network(*state)) {
    std::fprintf(stderr, "lab net down: the holder (pid %d) did not end, even on SIGKILL\n", state->holder);
    return exit_failure;
  }
  std::printf("Classroom network down: its holder (pid %d) has ended, and with it both hosts and every program "
              "that ran there.\n", state->holder);
  return 0;
}

int run_exec(const JoinFlags& flags) {
  const StandingState state = running_or_throw("exec");
  return run_on_host(state, host_named(flags.host), flags.command, {"LAB_HOST=" + flags.host});
}

int run_shell(const JoinFlags& flags) {
  const StandingState state = running_or_throw("shell");
  const char* shell_env = std::getenv("SHELL");
  const std::string shell = shell_env != nullptr && shell_env[0] == '/' ? shell_env : "/bin/sh";
  // bash reads ~/.bashrc, which usually sets PS1: --norc keeps the prompt that names the host.
  std::vector<std::string> command{shell};
  if (shell.ends_with("/bash")) command.push_back("--norc");
  const std::string ip = flags.host == "client" ? state.client_ip : state.server_ip;
  std::fprintf(stderr, "A shell on host %s (%s); exit or Ctrl-D leaves it.\n", flags.host.c_str(), ip.c_str());
  return run_on_host(state, host_named(flags.host), command,
                     {"LAB_HOST=" + flags.host, "PS1=[lab " + flags.host + " " + ip + "] \\w\\$ "});
}

int run_watch(const WatchFlags& flags) { return run_net_watch(flags.output.applied_to(flags.options)); }

// Sends the new faults to the holder and waits (at most 5 s) for its one-line answer.
int run_set(const FaultFlags& flags) {
  StandingState state = running_or_throw("set");
  const std::string path = standing_feed_path();
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw NetnsError("net set: the socket path " + path + " is too long");
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) throw NetnsError(std::string("net set: socket(AF_UNIX): ") + std::strerror(errno));
  const timeval five_seconds{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  const FaultRequest request{flags.resolved(), faults_text(flags)};
  const auto bytes = encode_fault_request(request);
  char reply[256];
  ssize_t n = -1;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()))
    n = recv(fd, reply, sizeof reply - 1, 0);
  const int error = errno;
  close(fd);
  if (n <= 0) throw NetnsError(std::string("net set: the network's holder did not answer: ") + std::strerror(error));
  const std::string answer(reply, static_cast<std::size_t>(n));
  if (answer != "ok") throw NetnsError("net set: the holder refused: " + answer);
  state.faults = request.text;
  if (const int e = write_state_file(state); e != 0)
    std::fprintf(stderr, "lab: net set: the faults apply, but lab net status will show the old ones: cannot write %s: "
                         "%s\n", standing_state_path().c_str(), std::strerror(e));
  std::printf("The wire's faults are now: %s (from the next frame on; frames already held keep their times).\n",
              request.text.empty() ? "none" : request.text.c_str());
  return 0;
}

int run_status(const std::string& format) {
  const auto state = running_network();
  const bool json = format == "json";
  if (!state) {
    if (json) std::printf("{\"running\":false}\n");
    else std::printf("No classroom network is running (lab net up starts one).\n");
    return exit_failure;
  }
  struct Row {
    const char* name;
    Host host;
    const std::string& ip;
  };
  const Row rows[] = {{"server", Host::server, state->server_ip}, {"client", Host::client, state->client_ip}};
  if (json) {
    std::string out = fmt::format("{{\"running\":true,\"holder_pid\":{},\"prefix\":{},\"mtu\":{},\"faults\":",
                                  state->holder, state->prefix, state->mtu);
    append_json_string(out, state->faults);
    out += ",\"hosts\":[";
    bool first_host = true;
    for (const Row& row : rows) {
      out += fmt::format("{}{{\"name\":\"{}\",\"ip\":\"{}\",\"interface\":\"eth0\",\"mac\":\"{}\",\"processes\":[",
                         first_host ? "" : ",", row.name, row.ip, mac_text(row.host));
      first_host = false;
      bool first = true;
      for (const HostProcess& p : processes_on_host(*state, row.host)) {
        out += fmt::format("{}{{\"pid\":{},\"command\":", first ? "" : ",", p.pid);
        append_json_string(out, p.command);
        out += "}";
        first = false;
      }
      out += "]}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  std::printf("Classroom network up (holder pid %d): one /%d, MTU %d, faults: %s.\n", state->holder, state->prefix,
              state->mtu, state->faults.empty() ? "none" : state->faults.c_str());
  for (const Row& row : rows) {
    std::printf("  %-7s %s/%d on eth0, MAC %s\n", row.name, row.ip.c_str(), state->prefix,
                mac_text(row.host).c_str());
    const auto processes = processes_on_host(*state, row.host);
    if (processes.empty()) std::printf("          nothing runs there\n");
    for (const HostProcess& p : processes) {
      std::string command = printable(p.command);
      if (command.size() > 60) command = command.substr(0, 57) + "...";
      std::printf("          pid %-7d %s\n", p.pid, command.c_str());
    }
  }
  return 0;
}

}  // namespace

void setup_net(CLI::App& app) {
  auto* net = app.add_subcommand("net", "A classroom network that stays up: two hosts that any program can use");
  net->require_subcommand(1);
  net->footer("Two hosts, server 192.168.219.113 and client 192.168.219.164, joined by lab's wire, as the classic\n"
              "classroom exercise has them on two machines. No root needed.\n"
              "Examples:\n"
              "  lab net up                                   (then, in two more terminals:)\n"
              "  lab net exec server -- python3 classroom/tcp_server.py\n"
              "  lab net exec client -- python3 classroom/tcp_client.py\n"
              "  lab net down");

  auto up_flags = std::make_shared<UpFlags>();
  auto* up = net->add_subcommand("up", "Build the two hosts and keep them until lab net down");
  up->add_option("--server-ip", up_flags->server_ip, "The server host's address (default 192.168.219.113)")
      ->type_name("ADDR");
  up->add_option("--client-ip", up_flags->client_ip, "The client host's address (default 192.168.219.164)")
      ->type_name("ADDR");
  up->add_option("--prefix", up_flags->prefix, "The subnet's prefix length (default 24)")->check(number_in(8, 30));
  up->add_option("--mtu", up_flags->mtu, "Both hosts' MTU (default Ethernet's 1500)")->check(number_in(576, 9000));
  up_flags->faults.add_to(*up);
  bind_run(*up, [up_flags] { return run_up(*up_flags); });

  auto* down = net->add_subcommand("down", "End the network: both hosts and every program on them");
  bind_run(*down, [] { return run_down(); });

  auto exec_flags = std::make_shared<JoinFlags>();
  auto* exec = net->add_subcommand("exec", "Run a program on a host: lab net exec server -- python3 server.py");
  exec->add_option("host", exec_flags->host, "server or client")->required()->check(CLI::IsMember({"server", "client"}));
  exec->add_option("command", exec_flags->command, "The program and its arguments (after --)")->required();
  exec->footer("It exits with the program's exit status. The program sees the host's eth0 and loopback only.");
  bind_run(*exec, [exec_flags] { return run_exec(*exec_flags); });

  auto shell_flags = std::make_shared<JoinFlags>();
  auto* shell = net->add_subcommand("shell", "Open a shell on a host");
  shell->add_option("host", shell_flags->host, "server or client")->required()->check(CLI::IsMember({"server", "client"}));
  bind_run(*shell, [shell_flags] { return run_shell(*shell_flags); });

  auto watch_flags = std::make_shared<WatchFlags>();
  auto* watch = net->add_subcommand("watch", "Explain the wire's traffic live, as lab capture does");
  NetWatchOptions& w = watch_flags->options;
  watch->add_option("--filter", w.filter, "Only packets matching this BPF filter, as tcpdump takes it")->type_name("EXPR");
  watch->add_option("--write,-w", w.write_path, "Also write the packets to a pcap file")->type_name("FILE");
  watch->add_option("--count,-c", w.max_packets, "Stop after this many packets")->check(number_in(1, 1'000'000'000));
  watch->add_option("--duration", w.max_seconds, "Stop after this many seconds")->check(number_in(0.001, 86400.0));
  watch_flags->output.add_to(*watch);
  watch->footer("Every frame between the two hosts, as the wire carried it (a dropped one says so), with both kernels'\n"
                "states. Ctrl-C ends it with the summary; so does lab net down.\n"
                "Example:  lab net watch --filter 'tcp port 65432 or arp'");
  bind_run(*watch, [watch_flags] { return run_watch(*watch_flags); });

  auto set_flags = std::make_shared<FaultFlags>();
  auto* set = net->add_subcommand("set", "Change the wire's faults while the network runs (none given: no faults)");
  set_flags->add_to(*set);
  set->footer("Example:  lab net set --delay 50 --loss 5 --seed 1      then  lab net set   (faults off again)");
  bind_run(*set, [set_flags] { return run_set(*set_flags); });

  auto status_format = std::make_shared<std::string>("text");
  auto* status = net->add_subcommand("status", "The hosts, their addresses and what runs there");
  status->add_option("--format", *status_format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  status->footer("Exit status 1 when no network is running.");
  bind_run(*status, [status_format] { return run_status(*status_format); });
}

}  // namespace lab::labs::cli
