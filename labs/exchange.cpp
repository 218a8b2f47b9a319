// One exchange: start capturing, run the server and the client (echo or HTTP) on one Asio loop, feed both the packets
// and the application calls into one timeline, and stop once the conversation is over. The only file of
// labs/ that includes Asio.
#include "labs/exchange.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/live_capture.hpp"
#include "capture/timeline/timeline_merger.hpp"
#include "echo/echo.hpp"
#include "echo/socket_info.hpp"
#include "labs/app_events.hpp"
#include "web/http_ping.hpp"
#include "web/https_ping.hpp"

namespace lab::labs {
namespace {

using namespace std::chrono_literals;
using lab::flow::Role;
using lab::flow::TcpState;
// The clock the echo programs stamp their calls with, so that calls and packets share one time axis.
using lab::echo::realtime_ns;

constexpr auto tcp_close_grace = 2s;  // after the client is done, wait at most this long for the last ACK
constexpr auto udp_settle = 20ms;     // UDP has no ending on the wire: drain the capture a moment longer
constexpr auto lab_deadline = 15s;    // nothing in a lab may take longer than this...
constexpr auto wire_deadline = 40s;   // ...unless packets are dropped: three lost SYNs alone cost 1 + 2 + 4 s
constexpr std::uint32_t simultaneous_close_delay_ms = 5;  // long enough for both FINs to be on the wire at once
constexpr auto half_close_read_pause = 20ms;

// Every captured frame goes to the --write file (if any) and into the timeline.
class CaptureTap : public lab::pcap::FrameSink {
 public:
  CaptureTap(lab::timeline::TimelineMerger& merger, lab::pcap::FileWriter* writer) : merger_(merger), writer_(writer) {}
  void on_frame(const lab::decode::Frame& frame) override {
    if (writer_) writer_->on_frame(frame);
    merger_.add_packet(frame);
  }
  void on_delivered(std::uint64_t wire_id, std::int64_t delivered_ns, const lab::decode::KernelView& kernel) override {
    merger_.packet_delivered(wire_id, delivered_ns, kernel);
  }

 private:
  lab::timeline::TimelineMerger& merger_;
  lab::pcap::FileWriter* writer_;
};

// Is the lab's conversation over, as the capture shows it? TCP: both sides closed (or reset). UDP has no
// such moment; the lab ends a little after the client is done.
bool tcp_conversation_over(const lab::flow::Tracker& tracker) {
  const auto conversations = tracker.conversations();
  if (conversations.empty()) return false;
  for (const auto* c : conversations) {
    const TcpState client = c->side(Role::client).state;
    const TcpState server = c->side(Role::server).state;
    // Done means CLOSED, or TIME-WAIT: nothing more will be sent (a simultaneous close leaves both there).
    auto done = [](TcpState s) { return s == TcpState::time_wait || s == TcpState::closed; };
    if (!c->reset && !(done(client) && done(server))) return false;
  }
  return true;
}

std::string server_failure_message(const std::system_error& e, std::uint16_t port, bool tcp, bool http) {
  if (e.code() == std::errc::address_in_use)
    return fmt::format("{} port {} is already in use on this machine: stop the program using it, or pick another port "
                       "with --port (or drop --netns host to run in a private namespace)",
                       tcp ? "TCP" : "UDP", port);
  return fmt::format("cannot start the {} server on port {}: {}", http ? "HTTP" : tcp ? "TCP echo" : "UDP echo", port,
                     e.code().message());
}

// The lab's --close choice, as each program's own behaviour.
void apply_close_style(CloseStyle style, lab::echo::ServerOptions& server, lab::echo::ClientOptions& client,
                       asio::io_context& io) {
  using lab::echo::ClientClose;
  using lab::echo::ServerClose;
  switch (style) {
    case CloseStyle::client_first: break;
    case CloseStyle::server_first:
      server.close = ServerClose::first;
      client.close = ClientClose::after_server;  // it waits for the server's FIN before closing its side
      break;
    case CloseStyle::abort: client.close = ClientClose::abort; break;
    case CloseStyle::unread: server.close = ServerClose::unread; break;
    case CloseStyle::half_close: client.close = ClientClose::half_close; break;
    case CloseStyle::simultaneous:
      server.close = ServerClose::together;
      client.close = ClientClose::together;
      server.close_together = client.close_together = lab::echo::make_close_together(io, client.reply_timeout);
      break;
  }
}

// http-ping: the HTTP programs take the echo programs' place, with the same host, port and timeouts.
lab::web::HttpServerOptions http_server_options(const lab::echo::ServerOptions& echo) {
  lab::web::HttpServerOptions o;
  o.host = echo.host;
  o.port = echo.port;
  return o;
}
lab::web::HttpClientOptions http_client_options(const EchoLabOptions& lab, const lab::echo::ClientOptions& echo) {
  lab::web::HttpClientOptions o;
  o.host = echo.host;
  o.port = echo.port;
  o.requests = lab.requests;
  o.keep_alive = lab.keep_alive;
  o.reply_timeout = echo.reply_timeout;
  o.connect_timeout = echo.connect_timeout;
  return o;
}

// https-ping: the same programs' options, over TLS; only the client writes the key log, as a browser does with
// SSLKEYLOGFILE (the server knows the same secrets: a second copy of each line would add nothing).
lab::web::HttpsServerOptions https_server_options(const lab::echo::ServerOptions& echo) {
  return {.http = http_server_options(echo)};
}
lab::web::HttpsClientOptions https_client_options(const EchoLabOptions& lab, const lab::echo::ClientOptions& echo,
                                                  std::shared_ptr<lab::web::KeyLog> key_log) {
  lab::web::HttpsClientOptions o;
  o.http = http_client_options(lab, echo);
  o.http.host_field = std::string(lab::web::tls_server_name) + ":" + std::to_string(echo.port);
  o.version = lab.tls_version == "1.2" ? lab::web::TlsVersion::tls1_2 : lab::web::TlsVersion::tls1_3;
  o.key_log = std::move(key_log);
  return o;
}

TcpCounters counters_of(const TwoHosts* hosts, Host host) {
  return hosts ? read_tcp_counters(hosts->netstat(host)) : TcpCounters{};
}

TcpCounters grown(const TcpCounters& before, const TcpCounters& after) {
  return {after.timeouts - before.timeouts, after.loss_probes - before.loss_probes,
          after.fast_retrans - before.fast_retrans, after.syn_retrans - before.syn_retrans,
          after.delayed_acks - before.delayed_acks};
}

}  // namespace

ExchangeResult run_exchange(const EchoLabOptions& options, const TwoHosts* hosts, lab::timeline::Explainer& explainer) {
  const bool https = options.application == Application::https_ping;
  const bool http = https || options.application == Application::http_ping;  // HTTP rides on TCP, HTTPS too
  const bool tcp = http || options.transport == Transport::tcp;
  const std::uint16_t port = options.port != 0 ? options.port
                             : https           ? lab::web::default_https_port
                             : http            ? lab::web::default_http_port
                             : tcp             ? lab::echo::default_tcp_port
                                               : lab::echo::default_udp_port;
  ExchangeResult result;
  result.on_wire = hosts != nullptr;
  result.messages = http ? static_cast<std::size_t>(options.requests) : options.client_messages().size();

  FaultOptions faults = options.faults;
  if (options.close == CloseStyle::simultaneous && faults.delay_ms == 0) faults.delay_ms = simultaneous_close_delay_ms;
  result.delay_ms = faults.delay_ms;

  // The packets' source: libpcap on this namespace's loopback, or the lab's own wire between two hosts.
  std::unique_ptr<lab::pcap::LiveCapture> capture;
  if (!hosts) {
    lab::pcap::LiveCaptureOptions capture_options;
    capture_options.interface = "lo";
    // UDP's answer from a closed port is an ICMP error, which names the port only inside its quoted packet.
    capture_options.filter =
        tcp ? fmt::format("tcp port {}", port) : fmt::format("udp port {} or icmp or icmp6", port);
    capture = std::make_unique<lab::pcap::LiveCapture>(capture_options);
  }
  std::unique_ptr<lab::pcap::FileWriter> writer;
  if (!options.write_path.empty()) {
    writer = hosts ? std::make_unique<lab::pcap::FileWriter>(options.write_path, lab::decode::link_type::ethernet, 65535)
                   : std::make_unique<lab::pcap::FileWriter>(options.write_path, capture->link_type(),
                                                             capture->snap_length());
  }
  lab::timeline::TimelineMerger merger(explainer);
  CaptureTap tap(merger, writer.get());
  std::unique_ptr<Wire> wire;
  if (hosts) wire = std::make_unique<Wire>(*hosts, faults, tap);
  const TcpCounters client_before = counters_of(hosts, Host::client);
  const TcpCounters server_before = counters_of(hosts, Host::server);

  asio::io_context io;
  asio::steady_timer ending(io);
  asio::steady_timer deadline(io, hosts && faults.any() ? wire_deadline : lab_deadline);
  asio::steady_timer wire_due(io);
  bool stopping = false;

  auto sink = [&](const lab::echo::EchoEvent& e) {
    if (wire && (e.kind == lab::echo::EventKind::close || e.kind == lab::echo::EventKind::shutdown))
      wire->application_closed(e.actor == lab::echo::Actor::client ? Host::client : Host::server, e.time_ns);
    merger.add_app(to_app_event(e, tcp));
  };

  const std::string host = hosts ? hosts->address(Host::server) : options.ipv6 ? "::1" : "127.0.0.1";
  lab::echo::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  server_options.read_pause = std::chrono::milliseconds(options.slow_reader_ms);
  server_options.receive_buffer = options.receive_buffer;
  server_options.mss = options.mss;
  lab::echo::ClientOptions client_options;
  client_options.host = host;
  client_options.port = port;
  client_options.messages = options.client_messages();
  client_options.mss = options.mss;
  client_options.connect_udp = options.connect_udp;
  client_options.reply_timeout = std::chrono::milliseconds(options.reply_timeout_ms);
  // Where the lab loses packets on purpose, a UDP client that gave up at the first silence would hide what
  // became of the other messages: it counts each lost reply and goes on.
  client_options.keep_going_after_timeout = faults.any();
  if (tcp && hosts) {  // lost packets are retransmitted after timeouts that double: give TCP time to recover
    client_options.reply_timeout = 10s;
    client_options.connect_timeout = 10s;
  }
  if (tcp) apply_close_style(options.close, server_options, client_options, io);  // after the timeouts: it uses them
  // A half-close shows the server talking after the client's FIN only if that FIN arrives before the echo
  // goes out: a server that takes a moment before its first recv() makes sure of it (the lab says so). Only the
  // first: a pause before every recv() would make a large --size crawl.
  if (tcp && options.close == CloseStyle::half_close && options.slow_reader_ms == 0)
    server_options.first_read_pause = half_close_read_pause;

  // The server lives on the server host (or this namespace); the client, created once the loop runs, on the
  // client host: the thread stays in the client host's namespace while the loop runs.
  std::unique_ptr<lab::echo::TcpEchoServer> tcp_server;
  std::unique_ptr<lab::echo::UdpEchoServer> udp_server;
  std::unique_ptr<lab::web::HttpPingServer> http_server;
  std::unique_ptr<lab::web::HttpsPingServer> https_server;
  // Opened before anything runs, so that a path that cannot be written is one line and no lab.
  std::shared_ptr<lab::web::KeyLog> key_log;
  if (https && !options.keylog_path.empty()) {
    try {
      key_log = std::make_shared<lab::web::KeyLog>(options.keylog_path);
    } catch (const std::system_error& e) {
      throw std::runtime_error(std::string(e.what()));
    }
  }
  if (hosts) hosts->enter(Host::server);
  try {
    if (options.no_server) {
      // nobody listens: that is the scenario
    } else if (https) {
      https_server = std::make_unique<lab::web::HttpsPingServer>(io, https_server_options(server_options), sink);
    } else if (http) {
      http_server = std::make_unique<lab::web::HttpPingServer>(io, http_server_options(server_options), sink);
    } else if (tcp) {
      tcp_server = std::make_unique<lab::echo::TcpEchoServer>(io, server_options, sink);
    } else {
      udp_server = std::make_unique<lab::echo::UdpEchoServer>(io, server_options, sink);
    }
  } catch (const std::system_error& e) {
    if (hosts) hosts->enter_wire();
    throw std::runtime_error(server_failure_message(e, port, tcp, http));
  }
  if (hosts) hosts->enter(Host::client);

  std::function<void()> schedule_wire;  // below: it drains when the next held frame is due
  auto drain = [&] {
    if (capture) capture->dispatch(tap);
    if (wire) {
      wire->carry_all();
      wire->deliver_due(realtime_ns());
      schedule_wire();  // whoever drained, a frame still held (or held just now) gets its turn
    }
    // Everything stamped up to a moment ago has been read: calls made before then can take their place.
    merger.packets_complete_until(realtime_ns() - 200'000);
  };

  // Asio watches duplicates of the descriptors, so that each owner closes only its own.
  std::vector<std::unique_ptr<asio::posix::stream_descriptor>> watched;
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    drain();
    if (tcp_server) tcp_server->stop();
    if (udp_server) udp_server->stop();
    if (http_server) http_server->stop();
    if (https_server) https_server->stop();
    for (auto& fd : watched) fd->cancel();
    ending.cancel();
    deadline.cancel();
    wire_due.cancel();
  };
  auto maybe_stop = [&] {
    if (result.client && tcp && tcp_conversation_over(explainer.tracker())) stop();
  };
  // A held frame (--delay) is delivered when due.
  schedule_wire = [&] {
    if (!wire || stopping) return;
    const auto due = wire->next_due();
    if (!due) return;
    wire_due.expires_after(std::chrono::nanoseconds(std::max<std::int64_t>(0, *due - realtime_ns())));
    wire_due.async_wait([&](std::error_code ec) {
      if (ec || stopping) return;
      drain();
      maybe_stop();
    });
  };
  std::function<void(asio::posix::stream_descriptor&)> watch = [&](asio::posix::stream_descriptor& fd) {
    fd.async_wait(asio::posix::stream_descriptor::wait_read, [&](std::error_code ec) {
      if (ec || stopping) return;
      drain();
      maybe_stop();
      if (!stopping) watch(fd);
    });
  };
  if (capture) watched.push_back(std::make_unique<asio::posix::stream_descriptor>(io, ::dup(capture->selectable_fd())));
  if (hosts) {
    for (Host h : {Host::client, Host::server})
      watched.push_back(std::make_unique<asio::posix::stream_descriptor>(io, ::dup(hosts->cable(h))));
  }
  for (auto& fd : watched) watch(*fd);
  deadline.async_wait([&](std::error_code ec) {
    if (!ec) stop();
  });

  auto client_done = [&](const lab::echo::ClientResult& client) {
    result.client = client;
    // TCP ends when the capture shows both sides closed (or after a grace period); UDP a moment later.
    const auto settle = tcp ? std::chrono::duration_cast<std::chrono::milliseconds>(tcp_close_grace)
                            : udp_settle + std::chrono::milliseconds(2 * faults.delay_ms);
    ending.expires_after(settle);
    ending.async_wait([&](std::error_code ec) {
      if (!ec) stop();
    });
    drain();
    maybe_stop();
  };
  if (https) {
    lab::web::start_https_client(io, https_client_options(options, client_options, key_log), sink,
                                 [&](const lab::web::HttpsClientResult& r) {
                                   result.tls = TlsOutcome{r.tls.version, r.tls.cipher, r.tls.alpn,
                                                           r.certificate_verified, r.peer_close_notify,
                                                           options.keylog_path};
                                   client_done({.ok = r.http.ok, .error = r.http.error});
                                 });
  } else if (http) {
    lab::web::start_http_client(io, http_client_options(options, client_options), sink,
                                [&](const lab::web::HttpClientResult& r) { client_done({.ok = r.ok, .error = r.error}); });
  } else if (tcp) {
    lab::echo::start_tcp_echo_client(io, client_options, sink, client_done);
  } else {
    lab::echo::start_udp_echo_client(io, client_options, sink, client_done);
  }

  io.run();
  if (hosts) hosts->enter_wire();

  merger.finish();
  if (writer) writer->flush();
  if (capture) result.kernel_dropped = capture->stats().dropped;
  if (wire) result.wire = wire->stats();
  if (wire) result.unmatched_drops = wire->faults().unmatched_drops();
  result.client_kernel = grown(client_before, counters_of(hosts, Host::client));
  result.server_kernel = grown(server_before, counters_of(hosts, Host::server));
  return result;
}

}  // namespace lab::labs
