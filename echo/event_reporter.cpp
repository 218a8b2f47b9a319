#include "echo/event_reporter.hpp"

#include <utility>

#include "echo/socket_info.hpp"

namespace lab::echo {
namespace {

// An endpoint as text, empty while it is not known: no error, and not port 0 (bound to no port yet).
template <class Endpoint>
std::string known_endpoint_text(const asio::error_code& error, const Endpoint& endpoint) {
  return error || endpoint.port() == 0 ? std::string{} : endpoint_text(endpoint);
}

template <class SocketOrAcceptor>
std::string local_text(const SocketOrAcceptor& socket) {
  asio::error_code error;
  const auto endpoint = socket.local_endpoint(error);
  return known_endpoint_text(error, endpoint);
}

std::string peer_text(asio::ip::tcp::socket& socket) {
  asio::error_code error;
  const auto endpoint = socket.remote_endpoint(error);
  return known_endpoint_text(error, endpoint);
}

template <class SocketOrAcceptor>
std::string kernel_state(SocketOrAcceptor& socket) {
  return socket.is_open() ? tcp_kernel_state(socket.native_handle()) : std::string{};
}

}  // namespace

EventReporter::EventReporter(Actor actor, EchoEventSink sink)
    : actor_(actor), sink_(std::move(sink)), peers_(std::make_shared<std::unordered_map<int, std::string>>()) {}

void EventReporter::operator()(EventKind kind, asio::ip::tcp::socket& socket,
                               const EventDetails& details) const {
  if (!sink_) return;
  EchoEvent event = start_event(kind);
  event.kernel_state = kernel_state(socket);
  event.local = local_text(socket);
  event.peer = details.peer.empty() ? peer_text(socket) : details.peer;
  if (socket.is_open()) {
    const int fd = socket.native_handle();
    if (!event.peer.empty()) (*peers_)[fd] = event.peer;
    else if (const auto known = peers_->find(fd); known != peers_->end()) event.peer = known->second;
  }
  finish_and_report(std::move(event), details);
}

void EventReporter::operator()(EventKind kind, asio::ip::tcp::acceptor& acceptor,
                               const EventDetails& details) const {
  if (!sink_) return;
  EchoEvent event = start_event(kind);
  event.kernel_state = kernel_state(acceptor);
  event.local = local_text(acceptor);
  finish_and_report(std::move(event), details);
}

void EventReporter::operator()(EventKind kind, asio::ip::udp::socket& socket,
                               const asio::ip::udp::endpoint& peer, const EventDetails& details) const {
  if (!sink_) return;
  EchoEvent event = start_event(kind);  // no kernel_state: UDP has no connection to be in a state
  event.local = local_text(socket);
  event.peer = known_endpoint_text({}, peer);
  finish_and_report(std::move(event), details);
}

void EventReporter::mute() { sink_ = nullptr; }

// The time is read first, before the system calls that fill in the rest.
EchoEvent EventReporter::start_event(EventKind kind) const {
  EchoEvent event;
  event.time_ns = realtime_ns();
  event.actor = actor_;
  event.kind = kind;
  return event;
}

void EventReporter::finish_and_report(EchoEvent event, const EventDetails& details) const {
  event.bytes = details.data.size();
  event.data = std::string(details.data.substr(0, event_data_limit));
  event.detail = details.detail;
  event.resets = details.resets;
  event.tls = details.tls;
  sink_(event);
}

}  // namespace lab::echo
