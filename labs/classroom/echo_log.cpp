#include "labs/classroom/echo_log.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

#include "capture/render/escape.hpp"

namespace lab::labs {

namespace {

using lab::echo::Actor;
using lab::echo::EchoEvent;
using lab::echo::EventKind;

// "14:03:27.512": the local time of day to the millisecond, enough to follow a class's session.
std::string clock_text(std::int64_t time_ns) {
  const std::time_t seconds = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", local.tm_hour, local.tm_min, local.tm_sec,
                     (time_ns / 1'000'000) % 1000);
}

// `"Hello?"`, escaped (bytes from the network never reach the terminal raw), with … when the event kept only the
// first bytes.
std::string quoted(const EchoEvent& event) {
  std::string out = "\"";
  lab::render::append_escaped_bytes(out, event.data, lab::echo::event_data_limit);
  out += '"';
  if (event.data.size() < event.bytes && !out.ends_with("…\"")) out += "…";
  return out;
}

std::string count(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string kernel(const EchoEvent& event) {
  return event.kernel_state.empty() ? "" : " (kernel: " + event.kernel_state + ")";
}

void json_string(std::string& out, const char* name, std::string_view text) {
  out += fmt::format(",\"{}\":\"", name);
  lab::render::append_json_text(out, text);
  out += '"';
}

}  // namespace

EchoLog::EchoLog(Actor actor, Transport transport, OutputFormat format, std::FILE* out)
    : actor_(actor), tcp_(transport == Transport::tcp), format_(format), out_(out) {}

void EchoLog::operator()(const EchoEvent& event) {
  // The totals first, from the events themselves: the summary counts what the log shows.
  const bool server = actor_ == Actor::server;
  switch (event.kind) {
    case EventKind::accept:
      ++totals_.clients;
      break;
    case EventKind::recv:
      if (server) {
        ++totals_.messages;
        totals_.bytes += event.bytes;
        if (!tcp_ && peers_.insert(event.peer).second) ++totals_.clients;
      } else {
        totals_.echoed_bytes += event.bytes;
        // TCP is a stream: the echo may come in pieces, one recv() each; it counts once it is all back.
        if (pieces_++ == 0) awaited_data_ = quoted(event);
        awaited_ -= std::min(event.bytes, awaited_);
        echo_complete_ = !tcp_ || awaited_ == 0;
        if (echo_complete_) ++totals_.echoes;
      }
      break;
    case EventKind::send:
      if (server) {
        ++totals_.echoes;
        totals_.echoed_bytes += event.bytes;
      } else {
        ++totals_.messages;
        totals_.bytes += event.bytes;
        awaited_ = echo_size_ = event.bytes;
        pieces_ = 0;
      }
      break;
    case EventKind::timeout:
      if (!server && !tcp_) ++totals_.lost;
      break;
    default:
      break;
  }
  if (format_ == OutputFormat::json) json_line(event);
  else text_line(event);
}

void EchoLog::text_line(const EchoEvent& event) {
  const bool server = actor_ == Actor::server;
  const std::string at = clock_text(event.time_ns) + "  ";
  const std::string who = server ? at + event.peer + "  " : at;
  switch (event.kind) {
    case EventKind::listen:
      print(tcp_ ? "TCP echo server listening on " + event.local + " (Ctrl-C stops it)"
                 : "UDP echo server on " + event.local + ": each datagram goes back to its sender (Ctrl-C stops it)");
      return;
    case EventKind::accept:
      print(who + "connected" + kernel(event));
      return;
    case EventKind::connect:
      if (tcp_) print(at + "connecting to " + event.peer);
      return;
    case EventKind::connected:
      print(at + "connected from " + event.local + " to " + event.peer + kernel(event));
      return;
    case EventKind::send:
      if (server) {
        print(who + (tcp_ ? std::to_string(event.bytes) + " bytes " + quoted(event) + ": sending them back"
                          : "a datagram of " + std::to_string(event.bytes) + " bytes " + quoted(event) +
                                ": sending it back"));
      } else {
        print(at + "sent " + (tcp_ ? "" : "a datagram of ") + std::to_string(event.bytes) + " bytes " +
              quoted(event));
      }
      return;
    case EventKind::recv:
      if (server) return;  // said with the send that follows at once
      if (!tcp_) {
        print(at + "echo: a datagram of " + std::to_string(event.bytes) + " bytes " + quoted(event));
      } else if (echo_complete_) {
        print(at + "echo: " + std::to_string(echo_size_) + " bytes " + awaited_data_ +
              (pieces_ > 1 ? " in " + count(pieces_, "recv() call", "recv() calls") : ""));
      }
      return;
    case EventKind::eof:
      print(who + (server ? "closed its side: recv() returned 0, its FIN came" : "the server closed its side: "
                                                                                 "recv() returned 0, its FIN came") +
            kernel(event));
      return;
    case EventKind::shutdown:
      print(who + "shutdown(SHUT_WR): our FIN follows, and we can still receive");
      return;
    case EventKind::close:
      if (!tcp_) {
        print(at + "socket closed: no packet, UDP has no connection to end");
      } else if (event.peer.empty()) {
        print(at + "stopped listening on " + event.local);
      } else {
        print(who + "closing the connection" + kernel(event) + (event.resets ? ": an RST follows" : ": a FIN follows"));
      }
      return;
    case EventKind::timeout:
    case EventKind::error:
      print(who + event.detail);
      return;
  }
}

void EchoLog::json_line(const EchoEvent& event) {
  std::string out = "{\"type\":\"event\"";
  out += fmt::format(",\"time\":{}.{:09}", event.time_ns / 1'000'000'000, event.time_ns % 1'000'000'000);
  out += fmt::format(",\"actor\":\"{}\",\"event\":\"{}\",\"proto\":\"{}\"", lab::echo::actor_name(event.actor),
                     lab::echo::event_kind_name(event.kind), tcp_ ? "tcp" : "udp");
  json_string(out, "local", event.local);
  json_string(out, "peer", event.peer);
  out += fmt::format(",\"bytes\":{}", event.bytes);
  // The first bytes as text (invalid UTF-8 replaced) and exactly, in hex, as the timeline's JSON gives them.
  out += ",\"data\":\"";
  lab::render::append_json_bytes(out, event.data);
  out += "\",\"data_hex\":\"";
  lab::render::append_hex(out, event.data);
  out += '"';
  if (!event.kernel_state.empty()) json_string(out, "kernel_state", event.kernel_state);
  if (!event.detail.empty()) json_string(out, "detail", event.detail);
  if (event.kind == EventKind::close) out += fmt::format(",\"resets\":{}", event.resets);
  out += '}';
  print(out);
}

void EchoLog::summary(const std::string& ending) {
  if (summarised_) return;
  summarised_ = true;
  const EchoTotals& t = totals_;
  if (format_ == OutputFormat::json) {
    std::string out = fmt::format(
        "{{\"type\":\"summary\",\"actor\":\"{}\",\"proto\":\"{}\",\"clients\":{},\"messages\":{},\"bytes\":{},"
        "\"echoes\":{},\"echoed_bytes\":{},\"lost\":{}",
        lab::echo::actor_name(actor_), tcp_ ? "tcp" : "udp", t.clients, t.messages, t.bytes, t.echoes, t.echoed_bytes,
        t.lost);
    json_string(out, "ending", ending);
    print(out + "}");
    return;
  }
  std::string line;
  if (actor_ == Actor::server) {
    line = tcp_ ? "lab server: " + count(t.clients, "client", "clients") + ", " +
                      count(t.messages, "recv() call", "recv() calls") + ", " + std::to_string(t.bytes) +
                      " bytes received, " + std::to_string(t.echoed_bytes) + " sent back"
                : "lab server: " + count(t.messages, "datagram", "datagrams") + " (" + std::to_string(t.bytes) +
                      " bytes) from " + count(t.clients, "client", "clients") + ", " + std::to_string(t.echoes) +
                      " sent back";
  } else {
    line = "lab client: " + count(t.messages, "message", "messages") + " sent (" + std::to_string(t.bytes) +
           " bytes), " + count(t.echoes, "echo", "echoes") + " back";
    if (t.lost > 0) line += ", " + count(t.lost, "reply", "replies") + " lost";
  }
  print(line + "; " + ending);
}

void EchoLog::print(const std::string& line) {
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);  // a line at a time: someone is watching, or a pipe is reading
}

}  // namespace lab::labs
