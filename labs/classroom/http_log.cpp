#include "labs/classroom/http_log.hpp"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "capture/render/escape.hpp"
#include "web/http_messages.hpp"

namespace lab::labs {

namespace {

using lab::echo::Actor;
using lab::echo::EchoEvent;
using lab::echo::EventKind;

// "14:03:27.512": the local time of day to the millisecond, as lab server's echo log shows it.
std::string clock_text(std::int64_t time_ns) {
  const std::time_t seconds = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", local.tm_hour, local.tm_min, local.tm_sec,
                     (time_ns / 1'000'000) % 1000);
}

std::string escaped(std::string_view bytes) {
  std::string out;
  lab::render::append_escaped_bytes(out, bytes, bytes.size());
  return out;
}

std::string kernel(const EchoEvent& event) {
  return event.kernel_state.empty() ? "" : " (kernel: " + event.kernel_state + ")";
}

void json_string(std::string& out, const char* name, std::string_view text) {
  out += fmt::format(",\"{}\":\"", name);
  lab::render::append_json_text(out, text);
  out += '"';
}

// The request line of a request's first bytes: "GET /ping HTTP/1.1".
std::string_view first_line(std::string_view data) { return data.substr(0, data.find("\r\n")); }

}  // namespace

HttpLog::HttpLog(Actor actor, OutputFormat format, std::FILE* out) : actor_(actor), format_(format), out_(out) {}

void HttpLog::operator()(const EchoEvent& event) {
  if (event.kind == EventKind::accept || event.kind == EventKind::connected) ++connections_;
  if (format_ == OutputFormat::json) {
    std::string out = "{\"type\":\"event\"";
    out += fmt::format(",\"time\":{}.{:09}", event.time_ns / 1'000'000'000, event.time_ns % 1'000'000'000);
    out += fmt::format(",\"actor\":\"{}\",\"event\":\"{}\",\"proto\":\"http\"", lab::echo::actor_name(event.actor),
                       lab::echo::event_kind_name(event.kind));
    json_string(out, "local", event.local);
    json_string(out, "peer", event.peer);
    out += fmt::format(",\"bytes\":{}", event.bytes);
    out += ",\"data\":\"";
    lab::render::append_json_bytes(out, event.data);
    out += '"';
    if (!event.kernel_state.empty()) json_string(out, "kernel_state", event.kernel_state);
    if (!event.detail.empty()) json_string(out, "detail", event.detail);
    if (event.kind == EventKind::close) out += fmt::format(",\"resets\":{}", event.resets);
    print(out + "}");
    return;
  }
  const bool server = actor_ == Actor::server;
  const std::string at = clock_text(event.time_ns) + "  ";
  const std::string who = server ? at + event.peer + "  " : at;
  switch (event.kind) {
    case EventKind::listen:
      print("HTTP server listening on http://" + event.local + "/ping (Ctrl-C stops it)");
      return;
    case EventKind::accept: print(who + "connected" + kernel(event)); return;
    case EventKind::connect: print(at + "connecting to " + event.peer); return;
    case EventKind::connected: print(at + "connected from " + event.local + " to " + event.peer + kernel(event)); return;
    case EventKind::send:
      // The server's answers are logged as requests answered (served()); the client's requests by their line.
      if (!server) print(at + "sent " + escaped(first_line(event.data)) + " (" + std::to_string(event.bytes) + " bytes)");
      return;
    case EventKind::recv: return;  // the client logs whole responses (response()), the server whole requests
    case EventKind::eof:
      print(who + (server ? "the client closed its side: recv() returned 0, its FIN came"
                          : "the server closed its side: recv() returned 0, its FIN came") +
            kernel(event));
      return;
    case EventKind::shutdown:
      print(who + "shutdown(SHUT_WR): a FIN follows; then it reads until the other side closes too" + kernel(event));
      return;
    case EventKind::close:
      if (event.peer.empty()) print(at + "stopped listening on " + event.local);
      else if (event.kernel_state == "CLOSED")  // e.g. after a failed connect(): there is no connection to end
        print(who + "closing the socket (kernel: CLOSED): no connection, so nothing goes on the wire");
      else
        print(who + "closing the connection" + kernel(event) + (event.detail.empty() ? "" : ": " + event.detail) +
              (event.resets ? ": an RST follows" : ": a FIN follows"));
      return;
    case EventKind::timeout:
    case EventKind::error: print(who + event.detail); return;
  }
}

void HttpLog::served(const lab::web::HttpServed& s) {
  ++requests_;
  ++statuses_[s.status];
  if (format_ == OutputFormat::json) {
    std::string out = "{\"type\":\"request\"";
    json_string(out, "peer", s.peer);
    json_string(out, "method", s.method);
    json_string(out, "target", s.target);
    out += fmt::format(",\"version\":\"HTTP/1.{}\",\"status\":{}", s.version_minor, s.status);
    json_string(out, "reason", lab::web::reason_phrase(s.status));
    out += fmt::format(",\"body_bytes\":{},\"closes\":{}}}", s.body_bytes, s.closes);
    print(out);
    return;
  }
  const std::string request = s.method.empty() ? std::string("(an unreadable request)")
                                               : escaped(s.method) + " " + escaped(s.target) + " HTTP/1." +
                                                     std::to_string(s.version_minor);
  print(clock_text(s.time_ns) + "  " + s.peer + "  " + request + " -> " + std::to_string(s.status) +
        " " + lab::web::reason_phrase(s.status) + (s.closes ? ", then the server closes" : ""));
}

void HttpLog::response(const lab::web::HttpResponseSummary& r) {
  ++requests_;
  ++statuses_[r.status];
  if (format_ == OutputFormat::json) {
    std::string out = fmt::format("{{\"type\":\"response\",\"connection\":{},\"status\":{}", r.connection, r.status);
    json_string(out, "reason", r.reason);
    out += fmt::format(",\"head_bytes\":{},\"body_bytes\":{}", r.head_bytes, r.body_bytes);
    out += ",\"body\":\"";
    lab::render::append_json_bytes(out, r.body_start);
    print(out + "\"}");
    return;
  }
  std::string body = escaped(r.body_start);
  if (r.body_start.size() < r.body_bytes) body += "…";
  // Stamped as it is printed, at once after the last recv() that completed it.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  print(clock_text(now.count()) + fmt::format("  response {} {} on connection {}: {} bytes of head, {} of body: \"{}\"", r.status, escaped(r.reason),
                    r.connection + 1, r.head_bytes, r.body_bytes, body));
}

void HttpLog::summary(const std::string& ending) {
  if (summarised_) return;
  summarised_ = true;
  const bool server = actor_ == Actor::server;
  if (format_ == OutputFormat::json) {
    std::string out = fmt::format("{{\"type\":\"summary\",\"actor\":\"{}\",\"proto\":\"http\",\"connections\":{},"
                                  "\"{}\":{},\"statuses\":{{",
                                  lab::echo::actor_name(actor_), connections_, server ? "requests" : "responses",
                                  requests_);
    bool first = true;
    for (const auto& [status, n] : statuses_) {
      out += fmt::format("{}\"{}\":{}", first ? "" : ",", status, n);
      first = false;
    }
    out += "}";
    json_string(out, "ending", ending);
    print(out + "}");
    return;
  }
  std::string statuses;
  for (const auto& [status, n] : statuses_) statuses += fmt::format("{}{} × {}", statuses.empty() ? "" : ", ", n, status);
  print(fmt::format("lab {}: {} connection{}, {} {}{}{}; {}", server ? "server" : "client", connections_,
                    connections_ == 1 ? "" : "s", requests_,
                    server ? (requests_ == 1 ? "request answered" : "requests answered")
                           : (requests_ == 1 ? "response" : "responses"),
                    statuses.empty() ? "" : " (", statuses.empty() ? "" : statuses + ")", ending));
}

void HttpLog::print(const std::string& line) {
  std::fputs(line.c_str(), out_);
  std::fputc('\n', out_);
  std::fflush(out_);  // a line at a time: someone is watching, or a pipe is reading
}

}  // namespace lab::labs
