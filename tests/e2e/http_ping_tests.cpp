// End to end: `lab http-ping --format json`, the real binary in its private namespace. The application calls and
// the packets are checked from the JSON: the handshake, the request's and response's segments with PSH, and which
// side sends each connection's first FIN, with and without keep-alive.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using nlohmann::json;

namespace {

bool has_flag(const json& packet, const std::string& flag) {
  for (const auto& f : packet["flags"])
    if (f == flag) return true;
  return false;
}

struct Connection {
  std::vector<json> packets;
  std::string first_fin_from;  // "client" or "server"
};

// The packets of each TCP connection (its "stream"), in order.
std::map<int, Connection> connections_of(const std::vector<json>& lines) {
  std::map<int, Connection> out;
  for (const auto& l : lines) {
    if (l["type"] != "packet") continue;
    Connection& c = out[l["stream"].get<int>()];
    c.packets.push_back(l);
    if (c.first_fin_from.empty() && has_flag(l, "FIN")) c.first_fin_from = l["from"];
  }
  return out;
}

std::size_t count_events(const std::vector<json>& lines, const std::string& actor, const std::string& event) {
  std::size_t n = 0;
  for (const auto& l : lines) n += l["type"] == "app" && l["actor"] == actor && l["event"] == event;
  return n;
}

// Each connection: SYN, SYN-ACK, then requests from the client and responses from the server, each in a segment
// with PSH, read by lab's HTTP tracker (the `http` object): GET /ping, and 200 with its 14-byte JSON body answering
// it; `keep_alive`: whether the requests ask for the connection to stay open.
void check_connection(const Connection& c, std::size_t requests, bool keep_alive) {
  REQUIRE(c.packets.size() >= 3);
  CHECK(c.packets[0]["flags"] == json::array({"SYN"}));
  CHECK(c.packets[0]["from"] == "client");
  CHECK(has_flag(c.packets[1], "SYN"));
  CHECK(has_flag(c.packets[1], "ACK"));
  std::size_t sent_requests = 0, responses = 0;
  int last_request = 0;
  for (const auto& p : c.packets) {
    if (p["len"].get<int>() == 0) continue;
    CHECK(has_flag(p, "PSH"));
    REQUIRE(p["http"].is_object());
    REQUIRE(p["http"]["messages"].size() == 1);
    const json& m = p["http"]["messages"][0];
    CHECK(m["body_ends_here"] == true);
    CHECK(p["coloring_rule"] == "HTTP");
    if (p["from"] == "client") {
      ++sent_requests;
      CHECK(m["type"] == "request");
      CHECK(m["method"] == "GET");
      CHECK(m["target"] == "/ping");
      CHECK(m["body"] == "none");
      CHECK(m["persistent"] == keep_alive);
      CHECK(m["number"] == sent_requests);
      last_request = p["index"].get<int>();
    } else {
      ++responses;
      CHECK(m["type"] == "response");
      CHECK(m["status"] == 200);
      CHECK(m["answers_packet"] == last_request);
      CHECK(m["content_type"] == "application/json");
      CHECK(m["body"] == "content-length");
      CHECK(m["content_length"] == 14);
      CHECK(p["http"]["body_bytes"] == 14);
    }
  }
  CHECK(sent_requests == requests);
  CHECK(responses == requests);
}

}  // namespace

TEST_CASE("http-ping: two requests with --keep-alive share one connection, and the client's FIN is the first") {
  const auto run = run_lab({"http-ping", "--requests", "2", "--keep-alive", "--format", "json"});
  if (run.exit_code == 3 && run.err.find("namespace") != std::string::npos) {
    LAB_SKIP("this machine forbids unprivileged user namespaces: " << run.err);
  }
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  const auto connections = connections_of(lines);
  REQUIRE(connections.size() == 1);
  const Connection& c = connections.begin()->second;
  check_connection(c, 2, true);
  CHECK(c.first_fin_from == "client");
  // The client's FIN: both requests answered, nothing in the HTTP asked for the close.
  for (const auto& p : c.packets) {
    if (!has_flag(p, "FIN") || p["from"] != "client") continue;
    REQUIRE(p["http"].is_object());
    CHECK(p["http"]["close"]["requests"] == 2);
    CHECK(p["http"]["close"]["responses"] == 2);
    CHECK(p["http"]["close"]["unanswered"] == 0);
    CHECK(p["http"]["close"]["asked_close_packet"].is_null());
  }
  CHECK(count_events(lines, "server", "listen") == 1);
  CHECK(count_events(lines, "client", "connect") == 1);
  CHECK(count_events(lines, "server", "accept") == 1);
  CHECK(count_events(lines, "client", "send") == 2);
  CHECK(count_events(lines, "server", "send") == 2);
  CHECK(count_events(lines, "client", "recv") >= 2);
  CHECK(count_events(lines, "server", "recv") >= 2);
  CHECK(count_events(lines, "client", "close") == 1);
  for (const auto& l : lines) {
    if (l["type"] == "app" && l["event"] == "accept") CHECK(l["kernel_state"] == "ESTABLISHED");
  }
  const json& summary = lines.back();
  REQUIRE(summary["type"] == "summary");
  CHECK(summary["conversations"][0]["closed_first"] == "client");
}

TEST_CASE("http-ping: two requests without keep-alive take two connections, and the server's FIN is each one's first") {
  const auto run = run_lab({"http-ping", "--requests", "2", "--format", "json"});
  if (run.exit_code == 3 && run.err.find("namespace") != std::string::npos) {
    LAB_SKIP("this machine forbids unprivileged user namespaces: " << run.err);
  }
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  const auto connections = connections_of(lines);
  REQUIRE(connections.size() == 2);
  for (const auto& [stream, c] : connections) {
    INFO("connection " << stream);
    check_connection(c, 1, false);
    CHECK(c.first_fin_from == "server");
    // The server's FIN: the request asked for it (Connection: close), and the response said so too.
    for (const auto& p : c.packets) {
      if (!has_flag(p, "FIN") || p["from"] != "server") continue;
      REQUIRE(p["http"].is_object());
      CHECK(p["http"]["close"]["asked_close_packet"] == c.packets[3]["index"]);
      CHECK(p["http"]["close"]["own_close"] == true);
    }
  }
  CHECK(count_events(lines, "client", "connect") == 2);
  CHECK(count_events(lines, "server", "accept") == 2);
  CHECK(count_events(lines, "client", "eof") == 2);  // each time the server's FIN reached the client first
  CHECK(count_events(lines, "server", "close") == 3);  // two connections and, at the end, the listening socket
}

TEST_CASE("http-ping: options an echo has and HTTP has not are refused in one line") {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"http-ping", "--message", "x"},
                                              std::vector<std::string>{"http-ping", "--size", "100"},
                                              std::vector<std::string>{"http-ping", "--requests", "0"}}) {
    const auto run = run_lab(args);
    INFO(args[1]);
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
}
