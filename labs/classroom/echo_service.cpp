// The event loop of `lab server` and `lab client`: the echo programs of echo/, a signal handler, and the log.
#include "labs/classroom/echo_service.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "echo/echo.hpp"
#include "labs/classroom/echo_log.hpp"

namespace lab::labs {

namespace {

std::uint16_t port_or_default(std::uint16_t port, Transport transport) {
  if (port != 0) return port;
  return transport == Transport::tcp ? lab::echo::default_tcp_port : lab::echo::default_udp_port;
}

const char* protocol_name(Transport transport) { return transport == Transport::tcp ? "TCP" : "UDP"; }

std::string ending_for(int signal_number) {
  return signal_number == SIGINT ? "stopped by Ctrl-C" : "stopped by SIGTERM";
}

// The address to talk to: a literal as it is, a name through the resolver (/etc/hosts, DNS), the first answer.
std::string resolve(const std::string& host, Transport transport) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == Transport::tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  if (const int error = getaddrinfo(host.c_str(), nullptr, &hints, &found); error != 0 || found == nullptr) {
    throw std::runtime_error(fmt::format("cannot find the address of \"{}\": {}", host,
                                         error != 0 ? gai_strerror(error) : "no address"));
  }
  char text[NI_MAXHOST] = {};
  const int error = getnameinfo(found->ai_addr, found->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST);
  freeaddrinfo(found);
  if (error != 0) throw std::runtime_error(fmt::format("cannot use the address of \"{}\": {}", host, gai_strerror(error)));
  return text;
}

std::string listen_failure(const std::system_error& e, const ServerRunOptions& o, std::uint16_t port) {
  const char* proto = protocol_name(o.transport);
  if (e.code() == std::errc::address_in_use)
    return fmt::format("{} port {} is already in use on {}: another program (perhaps another lab server) has it; "
                       "stop it, or choose another port with --port", proto, port, o.bind);
  if (e.code() == std::errc::address_not_available)
    return fmt::format("{} is not an address of this machine, so no server can listen there: use one of its "
                       "addresses (ip -brief address), or --bind 0.0.0.0 for all of them", o.bind);
  if (e.code() == std::errc::permission_denied)
    return fmt::format("{} port {} needs privileges (ports below 1024 do): choose a port from 1024 up with --port",
                       proto, port);
  return fmt::format("cannot start the {} echo server: {}", proto, e.what());
}

}  // namespace

int run_echo_server(const ServerRunOptions& o) {
  asio::io_context io;
  EchoLog log(lab::echo::Actor::server, o.transport, o.format, stdout);
  lab::echo::ServerOptions server_options;
  server_options.host = o.bind;
  server_options.port = port_or_default(o.port, o.transport);
  auto sink = [&log](const lab::echo::EchoEvent& event) { log(event); };

  // Either server, behind one stop(): both listen as they are constructed, and throw when they cannot.
  std::optional<lab::echo::TcpEchoServer> tcp;
  std::optional<lab::echo::UdpEchoServer> udp;
  try {
    if (o.transport == Transport::tcp) tcp.emplace(io, server_options, sink);
    else udp.emplace(io, server_options, sink);
  } catch (const std::system_error& e) {
    throw std::runtime_error(listen_failure(e, o, server_options.port));
  }

  std::string ending = "stopped";
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& error, int signal_number) {
    if (error) return;
    ending = ending_for(signal_number);
    // Closes the listening socket and every connection, each logged; then nothing is left to run.
    if (tcp) tcp->stop();
    if (udp) udp->stop();
  });
  io.run();
  log.summary(ending);
  return 0;
}

int run_echo_client(const ClientRunOptions& o) {
  // Before the io_context, so that it outlives the client's coroutine, which a signal leaves to its destructor.
  EchoLog log(lab::echo::Actor::client, o.transport, o.format, stdout);
  asio::io_context io;
  lab::echo::ClientOptions client_options;
  client_options.host = resolve(o.host, o.transport);
  client_options.port = port_or_default(o.port, o.transport);
  client_options.reply_timeout = std::chrono::milliseconds(o.reply_timeout_ms);
  client_options.keep_going_after_timeout = true;  // UDP: a lost reply is counted, and the next message goes
  if (o.messages.empty()) client_options.lines_fd = STDIN_FILENO;
  else client_options.messages = o.messages;

  std::optional<lab::echo::ClientResult> result;
  std::string ending;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  auto sink = [&log](const lab::echo::EchoEvent& event) { log(event); };
  auto done = [&](const lab::echo::ClientResult& r) {
    result = r;
    signals.cancel();
  };
  if (o.transport == Transport::tcp) lab::echo::start_tcp_echo_client(io, client_options, sink, done);
  else lab::echo::start_udp_echo_client(io, client_options, sink, done);
  signals.async_wait([&](const asio::error_code& error, int signal_number) {
    if (error) return;
    ending = ending_for(signal_number);
    io.stop();  // the client's coroutine is destroyed with the io_context: its socket closes then
  });
  io.run();

  if (!result) {  // stopped by a signal
    log.summary(ending);
    return 0;
  }
  if (!result->ok) {
    log.summary(result->error);
    std::fprintf(stderr, "lab client: %s\n", result->error.c_str());
    return 1;
  }
  log.summary("done");
  return 0;
}

}  // namespace lab::labs
