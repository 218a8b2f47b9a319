// Orchestrates an echo lab: isolate, start capturing, run server and client on one Asio loop, feed both the
// packets and the application calls into one timeline, and stop once the conversation is over.
#include "labs/echo_lab.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>
#include <system_error>

#include "capture/pcap/file_writer.hpp"
#include "capture/pcap/live_capture.hpp"
#include "capture/timeline/explainer.hpp"
#include "capture/timeline/timeline_merger.hpp"
#include "echo/echo.hpp"
#include "labs/app_events.hpp"
#include "labs/netns.hpp"
#include "labs/renderer_choice.hpp"
#include "labs/terminal.hpp"

namespace lab::labs {
namespace {

using namespace std::chrono_literals;
using lab::flow::Role;
using lab::flow::TcpState;

constexpr auto tcp_close_grace = 2s;     // after the client is done, wait at most this long for the last ACK
constexpr auto udp_settle = 20ms;        // UDP has no ending on the wire: drain the capture a moment longer
constexpr auto lab_deadline = 15s;       // nothing in a lab may take longer than this

std::int64_t realtime_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Every captured frame goes to the --write file (if any) and into the timeline.
class CaptureTap : public lab::pcap::FrameSink {
 public:
  CaptureTap(lab::timeline::TimelineMerger& merger, lab::pcap::FileWriter* writer) : merger_(merger), writer_(writer) {}
  void on_frame(const lab::decode::Frame& frame) override {
    if (writer_) writer_->on_frame(frame);
    merger_.add_packet(frame);
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
    const bool client_done = client == TcpState::time_wait || client == TcpState::closed;
    if (!c->reset && !(client_done && server == TcpState::closed)) return false;
  }
  return true;
}

std::string closing_tip(Transport transport, std::size_t messages) {
  if (transport == Transport::tcp)
    return "Next: the same message over UDP, with no handshake, no acknowledgements and no teardown:\n"
           "  lab udp-echo --annotate";
  // The fewest packets TCP could use for the same exchange: 3 for the handshake, each message and its echo
  // (their ACKs riding along), and 3 for the teardown with the first ACK and FIN combined.
  const std::size_t tcp_minimum = 3 + 2 * messages + 3;
  return fmt::format("Over TCP the same {} would take at least {} packets: a three-way handshake, the data with "
                     "its acknowledgements, and a teardown (usually a few more, when ACKs travel alone). Compare:\n"
                     "  lab tcp-echo --annotate",
                     messages == 1 ? "message" : "messages", tcp_minimum);
}

std::string port_in_use_message(const std::system_error& e, std::uint16_t port, bool tcp) {
  if (e.code() == std::errc::address_in_use)
    return fmt::format("{} port {} is already in use on this machine: stop the program using it, or pick another port "
                       "with --port (or drop --netns host to run in a private namespace)",
                       tcp ? "TCP" : "UDP", port);
  return fmt::format("cannot start the {} echo server on port {}: {}", tcp ? "TCP" : "UDP", port, e.code().message());
}

}  // namespace

int run_echo_lab(const EchoLabOptions& options) {
  const bool tcp = options.transport == Transport::tcp;
  const std::uint16_t port =
      options.port != 0 ? options.port : (tcp ? lab::echo::default_tcp_port : lab::echo::default_udp_port);

  // Isolation first, while the process still has a single thread.
  if (options.netns == NetnsMode::private_ns) enter_private_network();

  lab::pcap::LiveCaptureOptions capture_options;
  capture_options.interface = "lo";
  capture_options.filter = fmt::format("{} port {}", tcp ? "tcp" : "udp", port);
  lab::pcap::LiveCapture capture(capture_options);
  std::unique_ptr<lab::pcap::FileWriter> writer;
  if (!options.write_path.empty())
    writer = std::make_unique<lab::pcap::FileWriter>(options.write_path, capture.link_type(), capture.snap_length());

  RenderChoice choice;
  choice.format = options.format;
  choice.annotate = options.annotate;
  choice.absolute = options.absolute;
  choice.color = options.color;
  const auto renderer = make_renderer(choice);
  lab::timeline::Explainer explainer(*renderer, {options.absolute}, write_stdout);
  lab::timeline::TimelineMerger merger(explainer);
  CaptureTap tap(merger, writer.get());

  asio::io_context io;
  // Asio watches a duplicate of the capture's descriptor, so that each side closes only its own.
  asio::posix::stream_descriptor capture_fd(io, ::dup(capture.selectable_fd()));
  asio::steady_timer ending(io);
  asio::steady_timer deadline(io, lab_deadline);
  std::optional<lab::echo::ClientResult> client_result;
  bool stopping = false;

  auto sink = [&](const lab::echo::EchoEvent& e) { merger.add_app(to_app_event(e, tcp)); };

  std::unique_ptr<lab::echo::TcpEchoServer> tcp_server;
  std::unique_ptr<lab::echo::UdpEchoServer> udp_server;
  const std::string host = options.ipv6 ? "::1" : "127.0.0.1";
  lab::echo::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  try {
    if (tcp) tcp_server = std::make_unique<lab::echo::TcpEchoServer>(io, server_options, sink);
    else udp_server = std::make_unique<lab::echo::UdpEchoServer>(io, server_options, sink);
  } catch (const std::system_error& e) {
    throw std::runtime_error(port_in_use_message(e, port, tcp));
  }

  auto drain = [&] {
    capture.dispatch(tap);
    // Everything stamped up to a moment ago has been read: calls made before then can take their place.
    merger.packets_complete_until(realtime_ns() - 200'000);
  };
  auto stop = [&] {
    if (stopping) return;
    stopping = true;
    drain();
    if (tcp_server) tcp_server->stop();
    if (udp_server) udp_server->stop();
    capture_fd.cancel();
    ending.cancel();
    deadline.cancel();
  };
  auto maybe_stop = [&] {
    if (client_result && tcp && tcp_conversation_over(explainer.tracker())) stop();
  };

  std::function<void()> watch_capture = [&] {
    capture_fd.async_wait(asio::posix::stream_descriptor::wait_read, [&](std::error_code ec) {
      if (ec || stopping) return;
      drain();
      maybe_stop();
      if (!stopping) watch_capture();
    });
  };
  watch_capture();
  deadline.async_wait([&](std::error_code ec) {
    if (!ec) stop();
  });

  lab::echo::ClientOptions client_options;
  client_options.host = host;
  client_options.port = port;
  if (!options.messages.empty()) client_options.messages = options.messages;
  client_options.reply_timeout = std::chrono::milliseconds(options.reply_timeout_ms);
  auto client_done = [&](const lab::echo::ClientResult& result) {
    client_result = result;
    // TCP ends when the capture shows both sides closed (or after a grace period); UDP a moment later.
    ending.expires_after(tcp ? std::chrono::duration_cast<std::chrono::milliseconds>(tcp_close_grace) : udp_settle);
    ending.async_wait([&](std::error_code ec) {
      if (!ec) stop();
    });
    drain();
    maybe_stop();
  };
  if (tcp) lab::echo::start_tcp_echo_client(io, client_options, sink, client_done);
  else lab::echo::start_udp_echo_client(io, client_options, sink, client_done);

  io.run();

  merger.finish();
  std::string tip = closing_tip(options.transport, client_options.messages.size());
  explainer.finish(tip, capture.stats().dropped);
  if (writer) writer->flush();
  if (!client_result) {
    std::fprintf(stderr, "lab: the lab did not finish within %lld s\n", static_cast<long long>(lab_deadline.count()));
    return 1;
  }
  if (!client_result->ok) {
    std::fprintf(stderr, "lab: %s\n", client_result->error.c_str());
    return 1;
  }
  return 0;
}

}  // namespace lab::labs
