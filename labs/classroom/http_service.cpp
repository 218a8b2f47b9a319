// The event loop of `lab server http` and `lab client http`: the web lab's programs, a signal handler, the log.
#include "labs/classroom/http_service.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <variant>

#include <fmt/format.h>

#include "labs/classroom/http_log.hpp"
#include "web/http_ping.hpp"
#include "web/http_url.hpp"

namespace lab::labs {

namespace {

std::string ending_for(int signal_number) {
  return signal_number == SIGINT ? "stopped by Ctrl-C" : "stopped by SIGTERM";
}

std::string listen_failure(const std::system_error& e, const HttpServerRunOptions& o, std::uint16_t port) {
  if (e.code() == std::errc::address_in_use)
    return fmt::format("TCP port {} is already in use on {}: another program (perhaps another web server) has it; "
                       "stop it, or choose another port with --port", port, o.bind);
  if (e.code() == std::errc::address_not_available)
    return fmt::format("{} is not an address of this machine, so no server can listen there: use one of its "
                       "addresses (ip -brief address), or --bind 0.0.0.0 for all of them", o.bind);
  if (e.code() == std::errc::permission_denied)
    return fmt::format("TCP port {} needs privileges (ports below 1024 do): choose a port from 1024 up with --port",
                       port);
  return fmt::format("cannot start the HTTP server: {}", e.what());
}

}  // namespace

int run_http_server(const HttpServerRunOptions& o) {
  asio::io_context io;
  HttpLog log(lab::echo::Actor::server, o.format, stdout);
  lab::web::HttpServerOptions server_options;
  server_options.host = o.bind;
  server_options.port = o.port != 0 ? o.port : lab::web::default_http_port;
  server_options.idle_timeout = std::chrono::milliseconds(o.idle_timeout_ms);
  server_options.on_served = [&log](const lab::web::HttpServed& served) { log.served(served); };

  std::optional<lab::web::HttpPingServer> server;
  try {
    server.emplace(io, server_options, [&log](const lab::echo::EchoEvent& event) { log(event); });
  } catch (const std::system_error& e) {
    throw std::runtime_error(listen_failure(e, o, server_options.port));
  }

  std::string ending = "stopped";
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& error, int signal_number) {
    if (error) return;
    ending = ending_for(signal_number);
    server->stop();  // closes the listening socket and every connection, each logged; then nothing is left to run
  });
  io.run();
  log.summary(ending);
  return 0;
}

int run_http_client(const HttpClientRunOptions& o) {
  const auto parsed = lab::web::parse_http_url(o.url);
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    std::fprintf(stderr, "lab client: %s\n", problem->c_str());
    return 2;
  }
  const auto& url = std::get<lab::web::HttpUrl>(parsed);
  // Before the io_context, so that it outlives the client's coroutine, which a signal leaves to its destructor.
  HttpLog log(lab::echo::Actor::client, o.format, stdout);
  asio::io_context io;
  lab::web::HttpClientOptions client_options;
  client_options.host = url.host;
  client_options.port = url.port;
  client_options.target = url.target;
  client_options.host_field = url.host_field;
  client_options.requests = o.requests;
  client_options.keep_alive = o.keep_alive;
  client_options.reply_timeout = std::chrono::milliseconds(o.reply_timeout_ms);
  client_options.on_response = [&log](const lab::web::HttpResponseSummary& response) { log.response(response); };

  std::optional<lab::web::HttpClientResult> result;
  std::string ending;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  lab::web::start_http_client(io, client_options, [&log](const lab::echo::EchoEvent& event) { log(event); },
                              [&](const lab::web::HttpClientResult& r) {
                                result = r;
                                signals.cancel();
                              });
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
