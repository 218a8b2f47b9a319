// End to end: the real `lab` binary, in its own private network namespace (so tests never fight over ports
// 65432/5005), checked packet by packet against TCP's rules and the kernel's own view (TCP_INFO).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/pcap/file_reader.hpp"
#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using nlohmann::json;

namespace {

std::vector<json> of_type(const std::vector<json>& lines, const std::string& type) {
  std::vector<json> out;
  for (const auto& l : lines)
    if (l["type"] == type) out.push_back(l);
  return out;
}

bool has_flag(const json& packet, const std::string& flag) {
  for (const auto& f : packet["flags"])
    if (f == flag) return true;
  return false;
}

int one_line_count(const std::string& text) {
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

// Checks a TCP echo timeline against the protocol's rules rather than a fixed script: whatever the kernel
// chose to piggyback or delay, the numbers must add up.
void check_tcp_echo(const std::vector<json>& lines, const std::vector<std::string>& messages) {
  const auto packets = of_type(lines, "packet");
  REQUIRE(packets.size() >= 8);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    CHECK(packets[i]["index"] == i + 1);
    CHECK(packets[i]["proto"] == "tcp");
    CHECK(packets[i]["stream"] == 0);
    CHECK(packets[i]["analysis"].is_array());
  }
  double last_time = -1e9;
  for (const auto& l : lines) {
    if (l["type"] == "summary") continue;
    CHECK(l["time"].get<double>() >= last_time);  // one timeline, in time order
    last_time = l["time"].get<double>();
  }

  // The handshake.
  CHECK(packets[0]["flags"] == json::array({"SYN"}));
  CHECK(packets[0]["from"] == "client");
  CHECK(packets[0]["seq"] == 0);
  CHECK(packets[0]["ack"].is_null());
  CHECK(packets[0]["states"] == json{{"client", "SYN-SENT"}, {"server", "SYN-RECEIVED"}});
  CHECK(packets[1]["flags"] == json::array({"SYN", "ACK"}));
  CHECK(packets[1]["from"] == "server");
  CHECK(packets[1]["ack"] == 1);
  CHECK(packets[1]["states"] == json{{"client", "ESTABLISHED"}, {"server", "SYN-RECEIVED"}});
  CHECK(packets[2]["flags"] == json::array({"ACK"}));
  CHECK(packets[2]["phase"] == "handshake");
  CHECK(packets[2]["states"] == json{{"client", "ESTABLISHED"}, {"server", "ESTABLISHED"}});

  // Sequence numbers continue exactly (loopback loses nothing), and nobody acknowledges what was not sent.
  std::map<std::string, long> next_seq{{"client", 0}, {"server", 0}};
  std::map<std::string, long> payload{{"client", 0}, {"server", 0}};
  std::map<std::string, int> fins{{"client", 0}, {"server", 0}};
  std::string first_fin;
  for (const auto& p : packets) {
    const std::string from = p["from"], to = p["to"];
    CHECK(p["seq"] == next_seq[from]);
    const long consumed = p["len"].get<long>() + (has_flag(p, "SYN") ? 1 : 0) + (has_flag(p, "FIN") ? 1 : 0);
    next_seq[from] += consumed;
    CHECK(p["next_seq"] == next_seq[from]);
    if (!p["ack"].is_null()) CHECK(p["ack"].get<long>() <= next_seq[to]);
    payload[from] += p["len"].get<long>();
    if (has_flag(p, "FIN")) {
      fins[from] += 1;
      if (first_fin.empty()) first_fin = from;
    }
    if (p["len"].get<long>() > 0) CHECK(p["phase"] == "data");
  }
  long sent = 0;
  for (const auto& m : messages) sent += static_cast<long>(m.size());
  CHECK(payload["client"] == sent);
  CHECK(payload["server"] == sent);
  CHECK(fins["client"] == 1);
  CHECK(fins["server"] == 1);
  CHECK(first_fin == "client");  // the client closes first
  CHECK(packets.back()["states"] == json{{"client", "TIME-WAIT"}, {"server", "CLOSED"}});
  CHECK(packets.back()["phase"] == "teardown");

  // Application calls: what the client sent is what the server received, in order.
  std::vector<std::string> client_sent, server_calls, client_calls;
  std::string server_received;
  for (const auto& a : of_type(lines, "app")) {
    (a["actor"] == "client" ? client_calls : server_calls).push_back(a["event"]);
    if (a["actor"] == "client" && a["event"] == "send") client_sent.push_back(a["data"]);
    if (a["actor"] == "server" && a["event"] == "recv") server_received += a["data"].get<std::string>();
  }
  CHECK(client_sent == messages);
  std::string all;
  for (const auto& m : messages) all += m;
  CHECK(server_received == all);
  REQUIRE(client_calls.size() >= 4);
  CHECK(client_calls.front() == "connect");
  CHECK(client_calls[1] == "connected");
  CHECK(client_calls.back() == "close");
  REQUIRE(server_calls.size() >= 5);
  CHECK(server_calls.front() == "listen");
  CHECK(server_calls[1] == "accept");

  const auto summary = of_type(lines, "summary");
  REQUIRE(summary.size() == 1);
  CHECK(lines.back()["type"] == "summary");
  const json& c = summary[0]["conversations"][0];
  CHECK(summary[0]["packets"] == packets.size());
  CHECK(c["ended"] == "closed");
  CHECK(c["closed_first"] == "client");
  CHECK(c["payload_bytes"] == 2 * sent);
}

// The tracker's state of each socket, at the moment of each application call, equals the kernel's own
// (getsockopt TCP_INFO taken by the echo programs right after the call).
void check_states_against_kernel(const std::vector<json>& lines) {
  int compared = 0;
  bool saw_close_wait = false;
  for (const auto& a : of_type(lines, "app")) {
    if (!a.contains("kernel_state") || a["capture_state"].is_null()) continue;
    INFO(a.dump());
    CHECK(a["kernel_state"] == a["capture_state"]);
    ++compared;
    if (a["actor"] == "server" && a["event"] == "eof") saw_close_wait = a["kernel_state"] == "CLOSE-WAIT";
  }
  CHECK(compared >= 5);
  CHECK(saw_close_wait);
}

}  // namespace

TEST_CASE("lab tcp-echo --format json: every packet checked against TCP's rules and the kernel's states") {
  const auto run = run_lab({"tcp-echo", "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  const auto lines = json_lines(run.out);
  check_tcp_echo(lines, {"Hello?"});
  check_states_against_kernel(lines);
}

TEST_CASE("lab tcp-echo with several messages, one of them binary") {
  const std::vector<std::string> messages{"Hi", "second message", std::string("\x01\x1b[2J\xc3\xa9", 6)};
  const auto run = run_lab({"tcp-echo", "--format", "json", "-m", messages[0], "-m", messages[1], "-m", messages[2]});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  // `data` is text (valid UTF-8 kept: "é" stays "é"; a byte that is not text becomes U+FFFD) and `data_hex` the
  // exact bytes.
  auto hex = [](const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
      out += digits[b >> 4];
      out += digits[b & 0xF];
    }
    return out;
  };
  const auto packets = of_type(lines, "packet");
  long client_bytes = 0;
  for (const auto& p : packets)
    if (p["from"] == "client") client_bytes += p["len"].get<long>();
  CHECK(client_bytes == 2 + 14 + 6);
  std::vector<std::string> sent, sent_hex;
  for (const auto& a : of_type(lines, "app"))
    if (a["actor"] == "client" && a["event"] == "send") {
      sent.push_back(a["data"]);
      sent_hex.push_back(a["data_hex"]);
    }
  // The third ends with a lone 0xc3 (half of "é"): not text, so U+FFFD stands for it; the controls are JSON-escaped.
  CHECK(sent == std::vector<std::string>{messages[0], messages[1], std::string("\x01\x1b[2J\xef\xbf\xbd")});
  CHECK(sent_hex == std::vector<std::string>{hex(messages[0]), hex(messages[1]), hex(messages[2])});
}

TEST_CASE("lab tcp-echo over IPv6") {
  const auto run = run_lab({"tcp-echo", "--format", "json", "--ipv6"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  check_tcp_echo(lines, {"Hello?"});
  const auto packets = of_type(lines, "packet");
  CHECK(packets[0]["dst"] == "[::1]:65432");
  CHECK(packets[0]["src"].get<std::string>().rfind("[::1]:", 0) == 0);
  check_states_against_kernel(lines);
}

TEST_CASE("lab udp-echo --format json: two datagrams per message, nothing else") {
  const auto run = run_lab({"udp-echo", "--format", "json", "-m", "one", "-m", "three"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  const auto packets = of_type(lines, "packet");
  REQUIRE(packets.size() == 4);
  const char* expected_from[] = {"client", "server", "client", "server"};
  const int expected_len[] = {3, 3, 5, 5};
  for (int i = 0; i < 4; ++i) {
    CHECK(packets[i]["proto"] == "udp");
    CHECK(packets[i]["from"] == expected_from[i]);
    CHECK(packets[i]["len"] == expected_len[i]);
    CHECK(packets[i]["udp_length"] == 8 + expected_len[i]);
    CHECK_FALSE(packets[i].contains("flags"));
  }
  CHECK(packets[0]["dst"].get<std::string>().find(":5005") != std::string::npos);
  CHECK(packets[1]["note"].get<std::string>().find("straight back") != std::string::npos);
  const auto summary = of_type(lines, "summary");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0]["conversations"][0]["proto"] == "udp");
  CHECK(summary[0]["conversations"][0]["packets"] == 4);
}

TEST_CASE("lab tcp-echo --annotate: the text a student reads") {
  const auto run = run_lab({"tcp-echo", "--annotate", "--color", "never", "-m", "\x1b]0;pwned\x07"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  for (const char* expected : {"Handshake 1/3", "Handshake 2/3", "Handshake 3/3", "PSH", "FIN-WAIT-1", "CLOSE-WAIT",
                               "LAST-ACK", "TIME-WAIT", "Summary", "lab udp-echo --annotate", "\\x1b]0;pwned\\x07"}) {
    INFO(expected);
    CHECK(run.out.find(expected) != std::string::npos);
  }
  CHECK(run.out.find('\x1b') == std::string::npos);  // the payload's escape sequence never reaches the terminal raw
  CHECK(run.out.find('\x07') == std::string::npos);

  const auto coloured = run_lab({"tcp-echo", "--annotate", "--color", "always"});
  CHECK(coloured.out.find("\x1b[48;5;247;38;5;235m#1") != std::string::npos);  // SYN in Wireshark's grey

  const auto quiet = run_lab({"tcp-echo"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.find("send(\"Hello?\") 6 bytes") != std::string::npos);
  CHECK(quiet.out.find("#1") == std::string::npos);  // without --annotate: the application conversation only
}

TEST_CASE("lab udp-echo --annotate: no handshake, no acknowledgement, no teardown") {
  const auto run = run_lab({"udp-echo", "--annotate", "--color", "never"});
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("There was no handshake") != std::string::npos);
  CHECK(run.out.find("Nothing will acknowledge") != std::string::npos);
  CHECK(run.out.find("no teardown") != std::string::npos);
  CHECK(run.out.find("lab tcp-echo --annotate") != std::string::npos);
}

TEST_CASE("writing a pcap file with --write: it holds exactly the packets of the timeline, and other tools agree") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/echo.pcap";
  const auto run = run_lab({"tcp-echo", "--format", "json", "--write", file});
  REQUIRE(run.exit_code == 0);
  const auto packets = of_type(json_lines(run.out), "packet");

  lab::pcap::FileReader reader(file);
  lab::decode::Frame frame;
  std::size_t count = 0;
  while (reader.next(frame)) {
    REQUIRE(count < packets.size());
    CHECK(packets[count]["wire_len"] == frame.wire_len);
    ++count;
  }
  CHECK(count == packets.size());

  // Wireshark's relative numbers and lengths, packet by packet.
  if (access("/usr/bin/tshark", X_OK) != 0) {
    LAB_SKIP("tshark not installed: differential check skipped");
  }
  const auto tshark = lab::test::run_program(
      {"/usr/bin/tshark", "-r", file, "-T", "fields", "-E", "separator=,", "-e", "tcp.seq", "-e", "tcp.ack", "-e",
       "tcp.len", "-e", "tcp.flags", "-e", "tcp.stream"});
  REQUIRE(tshark.exit_code == 0);
  std::size_t row = 0, start = 0;
  while (start < tshark.out.size() && row < packets.size()) {
    const std::size_t end = tshark.out.find('\n', start);
    const std::string line = tshark.out.substr(start, end - start);
    start = end + 1;
    long seq = 0, ack = 0, len = 0, stream = 0;
    unsigned flags = 0;
    REQUIRE(std::sscanf(line.c_str(), "%ld,%ld,%ld,0x%x,%ld", &seq, &ack, &len, &flags, &stream) == 5);
    const json& p = packets[row++];
    INFO("packet " << row << ": tshark " << line);
    CHECK(p["seq"] == seq);
    CHECK(p["len"] == len);
    CHECK(p["stream"] == stream);
    if (flags & 0x10) CHECK(p["ack"] == ack);
    else CHECK(p["ack"].is_null());
    CHECK(has_flag(p, "SYN") == ((flags & 0x02) != 0));
    CHECK(has_flag(p, "FIN") == ((flags & 0x01) != 0));
    CHECK(has_flag(p, "PSH") == ((flags & 0x08) != 0));
  }
  CHECK(row == packets.size());
}

TEST_CASE("an unprivileged user runs the lab in a user namespace, no root needed") {
  const bool root = geteuid() == 0;
  const auto run = run_lab({"tcp-echo", "--format", "json"}, root);  // as root: drop to nobody first
  INFO(run.err);
  if (run.exit_code == 3 && run.err.find("namespace") != std::string::npos) {
    LAB_SKIP("this machine forbids unprivileged user namespaces: " << run.err);
  }
  REQUIRE(run.exit_code == 0);
  check_tcp_echo(json_lines(run.out), {"Hello?"});
}

TEST_CASE("bad input and a hostile environment: one clear line, a non-zero exit") {
  SECTION("an invalid option value is a usage error") {
    const auto run = run_lab({"tcp-echo", "--port", "70000"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.rfind("lab: --port", 0) == 0);
    CHECK(one_line_count(run.err) == 1);
    CHECK(run.out.empty());
  }
  SECTION("an unwritable --write path") {
    const auto run = run_lab({"tcp-echo", "--write", "/nonexistent-dir/x.pcap"});
    CHECK(run.exit_code == 1);
    CHECK(run.err == "lab: cannot write /nonexistent-dir/x.pcap: No such file or directory\n");
    CHECK(run.out.empty());
  }
  SECTION("a port already in use, on the machine's own loopback") {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(fd, 1) == 0);
    socklen_t size = sizeof address;
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    const std::string port = std::to_string(ntohs(address.sin_port));
    const auto run = run_lab({"tcp-echo", "--netns", "host", "--port", port});
    close(fd);
    CHECK(run.exit_code != 0);
    CHECK(one_line_count(run.err) == 1);
    if (geteuid() == 0) {
      CHECK(run.exit_code == 1);
      CHECK(run.err.find("TCP port " + port + " is already in use") != std::string::npos);
    } else {
      CHECK(run.exit_code == 3);  // capturing on the host needs privileges it does not have
      CHECK(run.err.find("permission") != std::string::npos);
    }
  }
  SECTION("no subcommand prints the help") {
    const auto run = run_lab({});
    CHECK(run.exit_code == 0);
    CHECK(run.out.find("tcp-echo") != std::string::npos);
  }
}
