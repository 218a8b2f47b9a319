// Per packet, `lab annotate --format json` agrees with Wireshark: relative seq, ack, len, flags and stream equal
// tshark's tcp.seq, tcp.ack, tcp.len, tcp.flags and tcp.stream (and our UDP `stream` tshark's udp.stream), over the
// well-formed teaching captures of the corpus and over captures the labs write themselves.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"
#include "tests/wireshark/tshark_diff.hpp"

namespace {

namespace ws = lab::test::wireshark;
using lab::test::json_lines;
using lab::test::lab_binary;
using lab::test::run_program;
using nlohmann::json;

// The corpus runs in shards so that `ctest -j` spreads tshark's start-up cost (~0.35 s a file) over the cores.
constexpr std::size_t corpus_shards = 6;

struct Tally {
  std::size_t files = 0, tcp = 0, udp = 0, excused = 0, macs = 0, arp = 0, coloring = 0, tls = 0;
  std::vector<std::string> fresh;   // mismatches nobody has reported yet: the test fails on them
  std::vector<std::string> known;   // reported and still there
  std::set<std::string> seen_known; // "file frame field" of the known ones seen
  std::vector<std::string> excuses;

  void add(const ws::FileResult& r) {
    ++files;
    tcp += r.tcp_compared;
    udp += r.udp_compared;
    macs += r.mac_compared;
    arp += r.arp_compared;
    coloring += r.coloring_compared;
    tls += r.tls_compared;
    excused += r.excused;
    excuses.insert(excuses.end(), r.excuses.begin(), r.excuses.end());
    for (const auto& m : r.mismatches) {
      if (const auto* k = ws::find_known(m)) {
        known.push_back(m.to_string() + "  [known: " + k->why + "]");
        seen_known.insert(std::string(k->file) + " " + std::to_string(k->frame) + " " + k->field);
      } else {
        fresh.push_back(m.to_string());
      }
    }
  }
};

std::vector<json> packets_of(const std::string& jsonl) {
  std::vector<json> packets;
  for (auto& line : json_lines(jsonl))
    if (line.value("type", "") == "packet") packets.push_back(std::move(line));
  return packets;
}

// `lab annotate FILE --format json`, compared with tshark on the same file.
ws::FileResult annotate_and_compare(const std::string& file) {
  const auto run = run_program({lab_binary(), "annotate", file, "--format", "json", "--wireshark", ws::wireshark_rules()}, 60000);
  INFO("lab annotate " << file << ": " << run.err);
  REQUIRE(run.exit_code == 0);
  return ws::compare(file, packets_of(run.out), ws::run_tshark(file));
}

std::string lines(const std::vector<std::string>& items) {
  std::ostringstream out;
  for (const auto& item : items) out << "  " << item << "\n";
  return out.str();
}

void check_corpus_shard(std::size_t shard) {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  const auto files = ws::teaching_captures();
  if (files.empty()) {
    LAB_SKIP("no corpus at " LAB_SOURCE_DIR "/../shared/corpus: Wireshark differential over the corpus skipped");
  }
  const auto start = std::chrono::steady_clock::now();
  Tally tally;
  std::set<std::string> shard_files;
  for (std::size_t i = shard; i < files.size(); i += corpus_shards) {
    tally.add(annotate_and_compare(files[i]));
    shard_files.insert(std::filesystem::path(files[i]).filename().string());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Wireshark differential, corpus shard " << shard + 1 << "/" << corpus_shards << " (" << ws::tshark_version()
            << ", lab's --wireshark " << ws::wireshark_rules() << " rules): " << tally.files << " of " << files.size() << " teaching captures, " << tally.tcp << " TCP and "
            << tally.udp << " UDP packets compared (" << tally.macs << " frames' MACs, " << tally.arp << " ARP; " << tally.coloring << " colouring rules, " << tally.tls << " with TLS), "
            << tally.excused << " excused by a named rule, "
            << tally.known.size() << " known mismatches, " << tally.fresh.size() << " new, " << seconds << " s\n"
            << lines(tally.excuses);
  if (!tally.known.empty()) WARN("known mismatches, reported, not fixed yet:\n" << lines(tally.known));
  for (const auto& k : ws::known_mismatches()) {
    const std::string key = std::string(k.file) + " " + std::to_string(k.frame) + " " + k.field;
    if (shard_files.count(k.file) && !tally.seen_known.count(key))
      WARN("known mismatch no longer seen (fixed? then delete it from known_mismatches()): " << key);
  }
  INFO("mismatches with tshark that are neither excused by a rule nor known:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.files > 0);
  CHECK(tally.coloring > tally.tcp / 2);  // the colouring rules were compared, not all excused
}

}  // namespace

TEST_CASE("corpus teaching captures agree with tshark, shard 1") { check_corpus_shard(0); }
TEST_CASE("corpus teaching captures agree with tshark, shard 2") { check_corpus_shard(1); }
TEST_CASE("corpus teaching captures agree with tshark, shard 3") { check_corpus_shard(2); }
TEST_CASE("corpus teaching captures agree with tshark, shard 4") { check_corpus_shard(3); }
TEST_CASE("corpus teaching captures agree with tshark, shard 5") { check_corpus_shard(4); }
TEST_CASE("corpus teaching captures agree with tshark, shard 6") { check_corpus_shard(5); }

TEST_CASE("the corpus selection rule finds the teaching captures") {
  const auto files = ws::teaching_captures();
  if (files.empty()) {
    LAB_SKIP("no corpus beside the repository: selection not checked");
  }
  // The golden TCP sessions of the corpus (MANIFEST.md) must be among them.
  for (const char* golden : {"ws-http.cap", "ws-tcp-ecn-sample.pcap", "ws-http-ipv6.pcap", "ws-200722_tcp_anon.pcapng",
                             "tcp-handshake-nano.pcap", "print-flags.pcap", "zeek-ssh-dups.pcap"}) {
    INFO(golden);
    CHECK(std::any_of(files.begin(), files.end(),
                      [&](const std::string& f) { return std::filesystem::path(f).filename() == golden; }));
  }
  CHECK(files.size() >= 200);
}

// Captures the labs write themselves: both the lab's own JSON lines and `lab annotate` of the written file
// must agree with tshark on that file.
namespace {

// Runs `lab ARGS --format json --write FILE`.
lab::test::LabRun run_lab_writing(std::vector<std::string> args, const std::string& file) {
  for (const std::string& a : {std::string("--wireshark"), ws::wireshark_rules(), std::string("--format"), std::string("json"), std::string("--write")}) args.push_back(a);
  args.push_back(file);
  return lab::test::run_lab(args);
}

// A machine that forbids the lab's namespaces (exit 3) skips the comparison, saying so.
bool environment_refused(const lab::test::LabRun& run, const std::string& name) {
  if (run.exit_code != 3) return false;
  std::cout << "SKIP: this environment does not allow a lab run (" << run.err << "): " << name << " skipped" << std::endl;
  return true;
}

}  // namespace

TEST_CASE("captures the labs write agree with tshark, live and through lab annotate") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  struct Variant {
    const char* name;
    std::vector<std::string> args;
    bool tcp;
  };
  const std::vector<Variant> variants = {
      {"tcp-echo", {"tcp-echo"}, true},
      {"tcp-echo, three messages", {"tcp-echo", "-m", "Hello?", "-m", "a second, longer message", "-m", "3"}, true},
      {"tcp-echo over IPv6, two messages", {"tcp-echo", "--ipv6", "-m", "over IPv6", "-m", "again"}, true},
      {"tcp-echo, another port", {"tcp-echo", "--port", "8080", "-m", "x"}, true},
      {"udp-echo, two messages", {"udp-echo", "-m", "one", "-m", "two"}, false},
      {"udp-echo over IPv6", {"udp-echo", "--ipv6"}, false},
  };
  lab::test::TempDir dir;
  for (const auto& v : variants) {
    SECTION(v.name) {
      const std::string file = dir.path() + "/capture.pcap";
      const auto run = run_lab_writing(v.args, file);
      INFO(v.name << ": " << run.err);
      if (environment_refused(run, v.name)) return;
      REQUIRE(run.exit_code == 0);
      const auto tshark = ws::run_tshark(file);
      const auto live = ws::compare(file, packets_of(run.out), tshark);
      const auto annotated = annotate_and_compare(file);
      for (const auto* r : {&live, &annotated}) {
        std::vector<std::string> all;
        for (const auto& m : r->mismatches) all.push_back(m.to_string());
        INFO((r == &live ? "the lab's own JSON" : "lab annotate") << " against tshark:\n" << lines(all));
        CHECK(r->mismatches.empty());
        CHECK(r->excused == 0);
        if (v.tcp) CHECK(r->tcp_compared >= 10);  // handshake, data and echo with their ACKs, teardown
        else CHECK(r->udp_compared >= 2);
      }
    }
  }
}

namespace {

// A pcap of Ethernet/IPv4/TCP segments built here, for the tracker's corner cases that no lab run produces.
// Checksums are left 0: neither tshark (by default) nor lab's tracker looks at them.
struct Segment {
  double time;
  bool from_client;
  std::uint32_t seq, ack;
  std::uint8_t flags;  // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  std::string data;
  std::uint16_t window = 65535;
  std::string options{};  // raw TCP option bytes, a multiple of 4
};

void put16(std::string& out, unsigned v) { out += static_cast<char>(v >> 8); out += static_cast<char>(v & 0xFF); }
void put32(std::string& out, std::uint32_t v) { put16(out, v >> 16); put16(out, v & 0xFFFF); }
void put32le(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A pcap file (version 2.4, Ethernet) of the given frames, each at its time in seconds.
void write_frames(const std::string& path, const std::vector<std::pair<double, std::string>>& frames) {
  std::string file;
  for (std::uint32_t v : {0xa1b2c3d4u, 0x00040002u, 0u, 0u, 65535u, 1u}) put32le(file, v);  // version 2.4, EN10MB
  for (const auto& [time, frame] : frames) {
    const auto seconds = static_cast<std::uint32_t>(time);
    put32le(file, seconds);
    put32le(file, static_cast<std::uint32_t>((time - seconds) * 1e6));
    put32le(file, static_cast<std::uint32_t>(frame.size()));
    put32le(file, static_cast<std::uint32_t>(frame.size()));
    file += frame;
  }
  std::ofstream(path, std::ios::binary) << file;
}

void write_capture(const std::string& path, const std::vector<Segment>& segments, std::uint16_t server_port = 80) {
  std::vector<std::pair<double, std::string>> frames;
  for (const auto& s : segments) {
    std::string frame(6, '\x02');        // dst MAC
    frame += std::string(6, '\x04');     // src MAC
    put16(frame, 0x0800);                // EtherType IPv4
    const std::size_t ip_len = 20 + 20 + s.options.size() + s.data.size();
    put16(frame, 0x4500);                // version 4, IHL 5, TOS 0
    put16(frame, static_cast<unsigned>(ip_len));
    put32(frame, 0x00014000);            // id 1, DF
    put16(frame, 0x4006);                // TTL 64, protocol TCP
    put16(frame, 0);                     // header checksum (not checked)
    const std::uint32_t client = 0x0a000001, server = 0x0a000002;  // 10.0.0.1:40000, 10.0.0.2:80
    put32(frame, s.from_client ? client : server);
    put32(frame, s.from_client ? server : client);
    put16(frame, s.from_client ? 40000 : server_port);
    put16(frame, s.from_client ? server_port : 40000);
    put32(frame, s.seq);
    put32(frame, s.ack);
    put16(frame, static_cast<unsigned>((5 + s.options.size() / 4) << 12) | s.flags);  // data offset
    put16(frame, s.window);              // window
    put32(frame, 0);                     // checksum, urgent pointer
    frame += s.options;
    frame += s.data;
    frames.emplace_back(s.time, std::move(frame));
  }
  write_frames(path, frames);
}

constexpr std::uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

// Handshake, 5 bytes of data and their ACK, with the given ISNs.
std::vector<Segment> exchange(double t, std::uint32_t c, std::uint32_t s) {
  return {{t, true, c, 0, SYN, ""},
          {t + 0.01, false, s, c + 1, SYN | ACK, ""},
          {t + 0.02, true, c + 1, s + 1, ACK, ""},
          {t + 0.03, true, c + 1, s + 1, PSH | ACK, "hello"},
          {t + 0.04, false, s + 1, c + 6, ACK, ""}};
}

}  // namespace

TEST_CASE("crafted corner cases agree with tshark: seq wrap, mid-stream start, port reuse, SYN retried after RST") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  struct Case {
    const char* file;
    std::vector<Segment> segments;
  };
  auto reuse = exchange(1, 1000, 5000);
  for (auto& s : exchange(2, 900000, 700000)) reuse.push_back(s);  // a new ISN on ports still open: a new connection
  auto wrap = exchange(1, 0xFFFFFFF0u, 0xFFFFFFFEu);
  wrap.push_back({1.05, true, 0xFFFFFFF6u, 0xFFFFFFFFu, PSH | ACK, std::string(20, 'x')});  // seq wraps through 0
  wrap.push_back({1.06, false, 0xFFFFFFFFu, 0x0000000Au, ACK, ""});
  auto closed = exchange(1, 1000, 5000);
  for (const Segment& s : std::vector<Segment>{{1.1, true, 1006, 5001, FIN | ACK, ""},
                                               {1.11, false, 5001, 1007, FIN | ACK, ""},
                                               {1.12, true, 1007, 5002, ACK, ""}})
    closed.push_back(s);
  for (auto& s : exchange(5, 123456, 654321)) closed.push_back(s);  // the ports again, after a clean close
  const std::vector<Case> cases = {
      {"crafted-port-reuse-open.pcap", reuse},
      {"crafted-seq-wrap.pcap", wrap},
      {"crafted-reuse-after-close.pcap", closed},
      {"crafted-mid-stream.pcap",
       {{1, false, 7000, 3000, PSH | ACK, "abcdef"}, {1.01, true, 3000, 7006, ACK, ""}, {1.02, true, 3000, 7006, PSH | ACK, "xyz"}}},
      {"crafted-syn-retried-after-rst.pcap",
       {{1, true, 1000, 0, SYN, ""}, {1.01, false, 0, 1001, RST | ACK, ""}, {1.5, true, 1000, 0, SYN, ""},
        {1.51, false, 0, 1001, RST | ACK, ""}, {2, true, 2000, 0, SYN, ""}, {2.01, false, 9000, 2001, SYN | ACK, ""},
        {2.02, true, 2001, 9001, ACK, ""}}},
  };
  lab::test::TempDir dir;
  Tally tally;
  for (const auto& c : cases) {
    const std::string file = dir.path() + "/" + c.file;
    write_capture(file, c.segments);
    tally.add(annotate_and_compare(file));
  }
  if (!tally.known.empty()) WARN("known mismatches, reported, not fixed yet:\n" << lines(tally.known));
  INFO("mismatches with tshark that are neither excused by a rule nor known:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.tcp >= 30);
  for (const auto& k : ws::known_mismatches()) {
    const std::string key = std::string(k.file) + " " + std::to_string(k.frame) + " " + k.field;
    if (std::string(k.file).rfind("crafted-", 0) == 0 && k.frame != 0 && !tally.seen_known.count(key))
      WARN("known mismatch no longer seen (fixed? then delete it from known_mismatches()): " << key);
  }
}

// One crafted capture per kind of Wireshark's sequence analysis (tcp.analysis.*), so that each is checked against
// tshark even where the corpus has none. Every kind must be found by tshark somewhere in them, and our
// `analysis`, `duplicate_ack_num` and `duplicate_ack_frame` must equal tshark's on every frame.
TEST_CASE("crafted captures of each TCP analysis kind agree with tshark") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  const std::uint32_t c = 1000, s = 5000;
  // Handshake (SYN-ACK with the given window) at t = 1.00, 1.01, 1.02: the initial RTT is 20 ms.
  const auto handshake = [&](std::uint16_t server_window = 65535) {
    return std::vector<Segment>{{1.00, true, c, 0, SYN, ""},
                                {1.01, false, s, c + 1, SYN | ACK, "", server_window},
                                {1.02, true, c + 1, s + 1, ACK, ""}};
  };
  const auto plus = [](std::vector<Segment> a, const std::vector<Segment>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  struct Case {
    const char* file;
    std::vector<Segment> segments;
  };
  const std::vector<Case> cases = {
      {"crafted-retransmission.pcap",  // no ACK comes back: the data again after 300 ms
       plus(handshake(), {{1.03, true, c + 1, s + 1, PSH | ACK, "hello"}, {1.33, true, c + 1, s + 1, PSH | ACK, "hello"},
                          {1.34, false, s + 1, c + 6, ACK, ""}})},
      {"crafted-dup-ack-fast-retransmission.pcap",  // 101..200 missing: two duplicate ACKs, then it comes at once
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, std::string(100, 'a')},
                          {1.031, false, s + 1, c + 101, ACK, ""},
                          {1.032, true, c + 201, s + 1, ACK, std::string(100, 'c')},
                          {1.033, false, s + 1, c + 101, ACK, ""},
                          {1.034, true, c + 301, s + 1, ACK, std::string(100, 'd')},
                          {1.035, false, s + 1, c + 101, ACK, ""},
                          {1.036, true, c + 101, s + 1, ACK, std::string(100, 'b')},
                          {1.037, false, s + 1, c + 401, ACK, ""}})},
      {"crafted-spurious-retransmission.pcap",  // acknowledged, and sent again all the same
       plus(handshake(), {{1.03, true, c + 1, s + 1, PSH | ACK, "hello"}, {1.04, false, s + 1, c + 6, ACK, ""},
                          {1.34, true, c + 1, s + 1, PSH | ACK, "hello"}})},
      {"crafted-out-of-order.pcap",  // 101..200 before 1..100, 1 ms apart (less than the 20 ms iRTT)
       plus(handshake(), {{1.030, true, c + 101, s + 1, ACK, std::string(100, 'b')},
                          {1.031, true, c + 1, s + 1, ACK, std::string(100, 'a')},
                          {1.040, false, s + 1, c + 201, ACK, ""}})},
      {"crafted-acked-unseen.pcap",  // the server acknowledges 20 bytes of the client's 5
       plus(handshake(), {{1.03, true, c + 1, s + 1, PSH | ACK, "hello"}, {1.04, false, s + 1, c + 21, ACK, ""}})},
      {"crafted-zero-window.pcap",  // window 0, a probe, its answer, then the window opens
       plus(handshake(), {{1.03, true, c + 1, s + 1, PSH | ACK, "hello"},
                          {1.04, false, s + 1, c + 6, ACK, "", 0},
                          {1.30, true, c + 6, s + 1, ACK, "x"},
                          {1.31, false, s + 1, c + 6, ACK, "", 0},
                          {1.50, false, s + 1, c + 6, ACK, "", 4000}})},
      {"crafted-window-full.pcap",  // the server offers 100 bytes; the client sends exactly 100
       plus(handshake(100), {{1.03, true, c + 1, s + 1, ACK, std::string(100, 'f')}, {1.04, false, s + 1, c + 101, ACK, ""}})},
      {"crafted-keep-alive.pcap",  // two hours idle, then seq next-1 with no data, and the usual ACK back
       plus(handshake(), {{1.03, true, c + 1, s + 1, PSH | ACK, "hello"},
                          {1.04, false, s + 1, c + 6, ACK, ""},
                          {7201.04, true, c + 5, s + 1, ACK, ""},
                          {7201.05, false, s + 1, c + 6, ACK, ""}})},
  };
  lab::test::TempDir dir;
  Tally tally;
  std::set<std::string> found;  // every analysis kind tshark reported in these captures
  for (const auto& k : cases) {
    const std::string file = dir.path() + "/" + k.file;
    write_capture(file, k.segments);
    const auto run = run_program({lab_binary(), "annotate", file, "--format", "json", "--wireshark", ws::wireshark_rules()}, 60000);
    REQUIRE(run.exit_code == 0);
    const auto theirs = ws::run_tshark(file);
    for (const auto& t : theirs) found.insert(t.analysis.begin(), t.analysis.end());
    tally.add(ws::compare(file, packets_of(run.out), theirs));
  }
  INFO("mismatches with tshark:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.known.empty());
  for (const auto& kind : ws::analysis_fields()) {
    INFO("tshark found no " << kind << " in the crafted captures: the case meant for it does not produce it");
    CHECK(found.count(kind) == 1);
  }
  // The same through the function the lead uses on any capture (e.g. a lab's --write file of a drop scenario).
  const auto analysis_only = ws::compare_analysis(dir.path() + "/crafted-dup-ack-fast-retransmission.pcap", lab_binary());
  CHECK(analysis_only.tcp_compared == 11);
  CHECK(analysis_only.mismatches.empty());
}

// Issue 4's scenarios, written with --write: their `analysis` entries (and every other field) against tshark's
// tcp.analysis.* frame by frame. Each scenario must also show the entries it exists to show, so that a run in
// which nothing went wrong cannot pass for agreement.
TEST_CASE("the lab's fault and close scenarios: analysis agrees with tshark packet by packet") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  struct Scenario {
    const char* name;
    std::vector<std::string> args;
    std::vector<std::string> must_show;  // analysis entries both sides must find somewhere in the capture
  };
  const std::vector<Scenario> scenarios = {
      {"drop syn", {"tcp-echo", "--drop", "syn"}, {"retransmission"}},
      {"drop syn-ack", {"tcp-echo", "--drop", "syn-ack"}, {"retransmission"}},
      {"drop request", {"tcp-echo", "--drop", "request"}, {"retransmission"}},
      {"drop reply", {"tcp-echo", "--drop", "reply"}, {"retransmission"}},
      {"drop fin", {"tcp-echo", "--drop", "fin"}, {"retransmission"}},
      {"drop the first of three messages", {"tcp-echo", "--drop", "request", "-m", "one", "-m", "two", "-m", "three"},
       {"retransmission"}},
      {"random loss, seed 4", {"tcp-echo", "--loss", "30", "--seed", "4", "-m", "one", "-m", "two", "-m", "three"},
       {"retransmission"}},
      {"a slow reader's window", {"tcp-echo", "--size", "40000", "--slow-reader", "100", "--rcvbuf", "8192"},
       {"zero_window", "window_full", "window_update"}},
      {"a large message with delay", {"tcp-echo", "--size", "60000", "--mss", "1000", "--delay", "2"}, {}},
      {"simultaneous close", {"tcp-echo", "--close", "simultaneous"}, {}},
      {"abortive close", {"tcp-echo", "--close", "abort"}, {}},
      {"unread data", {"tcp-echo", "--close", "unread"}, {}},
      {"half-close", {"tcp-echo", "--close", "half"}, {}},
      {"no server", {"tcp-echo", "--no-server"}, {}},
      // --topology two-hosts: ARP first, each frame's MACs compared too.
      {"two hosts", {"tcp-echo", "--topology", "two-hosts"}, {}},
      {"two hosts, drop syn", {"tcp-echo", "--topology", "two-hosts", "--drop", "syn"}, {"retransmission"}},
      {"two hosts, MTU 1000", {"tcp-echo", "--topology", "two-hosts", "--mtu", "1000", "--size", "3000"}, {}},
  };
  lab::test::TempDir dir;
  for (const auto& s : scenarios) {
    SECTION(s.name) {
      const std::string file = dir.path() + "/scenario.pcap";
      const auto run = run_lab_writing(s.args, file);
      INFO(s.name << ": " << run.err);
      if (environment_refused(run, s.name)) return;
      REQUIRE(run.exit_code == 0);
      const auto tshark = ws::run_tshark(file);
      const auto ours = packets_of(run.out);
      const auto live = ws::compare(file, ours, tshark);
      std::vector<std::string> all;
      for (const auto& m : live.mismatches) all.push_back(m.to_string());
      INFO("the lab's own JSON against tshark:\n" << lines(all));
      CHECK(live.mismatches.empty());
      CHECK(live.tcp_compared >= 2);
      if (std::find(s.args.begin(), s.args.end(), "two-hosts") != s.args.end()) CHECK(live.arp_compared == 2);
      const auto annotated = ws::compare_analysis(file, lab::test::lab_binary());
      CHECK(annotated.mismatches.empty());
      for (const std::string& entry : s.must_show) {
        INFO("expected somewhere: " << entry);
        const bool in_tshark = std::any_of(tshark.begin(), tshark.end(), [&](const ws::TsharkFrame& f) {
          return std::find(f.analysis.begin(), f.analysis.end(), entry) != f.analysis.end();
        });
        CHECK(in_tshark);
      }
    }
  }
}

namespace {

// A SACK option (RFC 2018) with one block, after two NOPs: 12 bytes.
std::string sack_option(std::uint32_t left, std::uint32_t right) {
  std::string o = "\x01\x01\x05\x0a";
  put32(o, left);
  put32(o, right);
  return o;
}

}  // namespace

// What changed in Wireshark's TCP analysis between 4.0 (Debian 12) and 4.4 (Debian 13), one crafted capture per
// rule (capture/flow/wireshark_rules.hpp). Both of lab's rule sets are checked on every machine against the values
// each Wireshark gives; the installed tshark confirms the values of its own version.
TEST_CASE("Wireshark 4.0 and 4.4 differ where lab's two rule sets differ, one capture per rule") {
  const std::uint32_t c = 1000, s = 5000;
  const auto handshake = [&] {
    return std::vector<Segment>{{1.00, true, c, 0, SYN, ""}, {1.01, false, s, c + 1, SYN | ACK, ""},
                                {1.02, true, c + 1, s + 1, ACK, ""}};
  };
  const auto plus = [](std::vector<Segment> a, const std::vector<Segment>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::string a100(100, 'a');
  struct Expectation {
    std::uint32_t frame;
    std::string v40, v44;  // "stream N: analysis,..." as compared below
  };
  struct Case {
    const char* file;
    const char* rule;
    std::vector<Segment> segments;
    std::vector<Expectation> expected;
  };
  const std::vector<Case> cases = {
      {"crafted-copy-within-rtt.pcap",
       "a copy of a segment still unacknowledged, within the handshake's round trip: 4.0 says out of order, 4.4 a "
       "retransmission (it was seen before)",
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, a100}, {1.031, true, c + 101, s + 1, ACK, a100},
                          {1.032, true, c + 1, s + 1, ACK, a100}, {1.050, false, s + 1, c + 201, ACK, ""}}),
       {{6, "stream 0: out_of_order", "stream 0: retransmission"}}},
      {"crafted-fill-after-ack-jump.pcap",
       "data that fills the gap up to where a pure ACK jumped: 4.0 says retransmission, 4.4 out of order",
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, a100}, {1.031, true, c + 201, s + 1, ACK, ""},
                          {1.032, true, c + 101, s + 1, ACK, a100}, {1.050, false, s + 1, c + 201, ACK, ""}}),
       {{6, "stream 0: retransmission", "stream 0: out_of_order"}}},
      {"crafted-acked-unseen-twice.pcap",
       "after an ACKed unseen segment, the data beyond it and its ACK: 4.0 says ACKed unseen again, 4.4 not",
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, a100}, {1.031, false, s + 1, c + 301, ACK, ""},
                          {1.032, true, c + 301, s + 1, ACK, a100}, {1.033, false, s + 1, c + 401, ACK, ""}}),
       {{5, "stream 0: ack_lost_segment", "stream 0: ack_lost_segment"},
        {7, "stream 0: ack_lost_segment", "stream 0: "}}},
      {"crafted-syn-after-rst-same-isn.pcap",
       "a SYN with the same ISN after a reset: 4.0 keeps the stream and calls it a retransmission, 4.4 starts a new "
       "stream",
       {{1.0, true, c, 0, SYN, ""}, {1.01, false, 0, c + 1, RST | ACK, ""}, {1.5, true, c, 0, SYN, ""},
        {1.51, false, s, c + 1, SYN | ACK, ""}, {1.52, true, c + 1, s + 1, ACK, ""}},
       {{3, "stream 0: retransmission", "stream 1: "}, {5, "stream 0: ", "stream 1: "}}},
      {"crafted-sack-window-update.pcap",
       "an ACK that changes the window and carries SACK blocks: 4.0 says window update, 4.4 duplicate ACK",
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, a100}, {1.031, true, c + 201, s + 1, ACK, a100},
                          {1.040, false, s + 1, c + 101, ACK, ""},
                          {1.041, false, s + 1, c + 101, ACK, "", 60000, sack_option(c + 201, c + 301)}}),
       {{7, "stream 0: window_update", "stream 0: duplicate_ack"}}},
      {"crafted-sack-fast-retransmission.pcap",
       "two duplicate ACKs with SACK blocks, then a segment other than the one they ask for: 4.0 says "
       "retransmission, 4.4 fast retransmission",
       plus(handshake(), {{1.030, true, c + 1, s + 1, ACK, a100}, {1.031, true, c + 101, s + 1, ACK, a100},
                          {1.032, true, c + 201, s + 1, ACK, a100}, {1.033, true, c + 301, s + 1, ACK, a100},
                          {1.060, false, s + 1, c + 101, ACK, "", 65535, sack_option(c + 301, c + 401)},
                          {1.061, false, s + 1, c + 101, ACK, "", 65535, sack_option(c + 301, c + 401)},
                          {1.062, false, s + 1, c + 101, ACK, "", 65535, sack_option(c + 301, c + 401)},
                          {1.065, true, c + 201, s + 1, ACK, a100}}),
       {{11, "stream 0: retransmission", "stream 0: fast_retransmission,retransmission"}}},
  };
  const auto describe = [](const nlohmann::json& p) {
    std::string text = "stream " + std::to_string(p.value("stream", -1)) + ": ";
    std::vector<std::string> names;
    if (p.contains("analysis") && p["analysis"].is_array())
      for (const auto& a : p["analysis"]) names.push_back(a.get<std::string>());
    std::sort(names.begin(), names.end());
    for (std::size_t i = 0; i < names.size(); ++i) text += (i ? "," : "") + names[i];
    return text;
  };
  const auto describe_tshark = [](const ws::TsharkFrame& t) {
    std::string text = "stream " + std::to_string(t.tcp_stream.value_or(0)) + ": ";
    for (std::size_t i = 0; i < t.analysis.size(); ++i) text += (i ? "," : "") + t.analysis[i];
    return text;
  };
  const bool tshark = !ws::tshark_path().empty();
  if (tshark) std::cout << ws::tshark_version() << ": checked against lab's --wireshark " << ws::wireshark_rules() << "\n";
  lab::test::TempDir dir;
  for (const auto& k : cases) {
    const std::string file = dir.path() + "/" + k.file;
    write_capture(file, k.segments);
    std::map<std::string, std::map<std::uint32_t, std::string>> lab_says;
    for (const std::string rules : {"4.0", "4.4"}) {
      const auto run = run_program({lab_binary(), "annotate", file, "--format", "json", "--wireshark", rules}, 60000);
      REQUIRE(run.exit_code == 0);
      for (const auto& p : packets_of(run.out)) lab_says[rules][p["index"].get<std::uint32_t>()] = describe(p);
    }
    std::map<std::uint32_t, std::string> tshark_says;
    if (tshark)
      for (const auto& t : ws::run_tshark(file)) tshark_says[t.number] = describe_tshark(t);
    bool differs = false;
    for (const auto& e : k.expected) {
      INFO(k.file << " frame " << e.frame << " — " << k.rule);
      CHECK(lab_says["4.0"][e.frame] == e.v40);
      CHECK(lab_says["4.4"][e.frame] == e.v44);
      if (tshark) CHECK(tshark_says[e.frame] == (ws::wireshark_rules() == "4.0" ? e.v40 : e.v44));
      differs = differs || e.v40 != e.v44;
    }
    CHECK(differs);  // each case shows its rule
  }
}

namespace {

std::string mac_bytes(const char* text) {  // "02:00:00:00:00:01" -> 6 bytes
  const std::string hex = text;
  std::string b;
  for (std::size_t i = 0; i + 2 <= hex.size(); i += 3) b += static_cast<char>(std::stoul(hex.substr(i, 2), nullptr, 16));
  return b;
}

std::string ipv4_bytes(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)};
}

struct ArpFrame {
  const char* eth_dst;
  const char* eth_src;
  std::uint16_t op;
  const char* sender_mac;
  std::string sender_ip;
  const char* target_mac;
  std::string target_ip;
  std::uint16_t hardware_type = 1;
  std::uint8_t hardware_len = 6;
  std::uint16_t vlan = 0;             // an 802.1Q tag when not 0
  std::uint16_t ethertype = 0x0806;   // 0x8035: RARP
};

// Ethernet (with a VLAN tag if asked), then the ARP packet field by field, padded to Ethernet's 60-byte minimum.
std::string arp_frame(const ArpFrame& a) {
  std::string f = mac_bytes(a.eth_dst) + mac_bytes(a.eth_src);
  if (a.vlan) {
    put16(f, 0x8100);  // 802.1Q
    put16(f, a.vlan);  // TCI: the VLAN id
  }
  put16(f, a.ethertype);
  put16(f, a.hardware_type);  // ar$hrd
  put16(f, 0x0800);           // ar$pro: IPv4
  f += static_cast<char>(a.hardware_len);  // ar$hln
  f += static_cast<char>(4);               // ar$pln
  put16(f, a.op);                          // ar$op
  std::string sha = mac_bytes(a.sender_mac), tha = mac_bytes(a.target_mac);
  sha.resize(a.hardware_len, '\x07');
  tha.resize(a.hardware_len, '\x07');
  f += sha + a.sender_ip + tha + a.target_ip;  // ar$sha, ar$spa, ar$tha, ar$tpa
  if (f.size() < 60) f.resize(60, '\0');
  return f;
}

// Ethernet/IPv4/TCP with the given MACs (checksums 0: neither side checks them here).
std::string tcp_frame(const char* eth_src, const char* eth_dst, const std::string& src, const std::string& dst,
                      std::uint16_t src_port, std::uint16_t dst_port, std::uint32_t seq, std::uint32_t ack,
                      std::uint8_t flags) {
  std::string f = mac_bytes(eth_dst) + mac_bytes(eth_src);
  put16(f, 0x0800);
  put16(f, 0x4500);      // version 4, IHL 5, TOS 0
  put16(f, 40);          // total length
  put32(f, 0x00014000);  // id 1, DF
  put16(f, 0x4006);      // TTL 64, TCP
  put16(f, 0);           // header checksum
  f += src + dst;
  put16(f, src_port);
  put16(f, dst_port);
  put32(f, seq);
  put32(f, ack);
  put16(f, static_cast<unsigned>(5 << 12) | flags);
  put16(f, 65535);
  put32(f, 0);
  return f;
}

}  // namespace

// ARP and the Ethernet addresses against tshark: a crafted capture with one frame per kind of ARP (request, its reply,
// the TCP handshake that follows, gratuitous, announcement, probe, an unknown operation, another hardware type, a
// length that lies, a VLAN tag, RARP) compared on op, the fixed part, the four addresses, Wireshark's gratuitous,
// probe and announcement, and every frame's eth.src and eth.dst.
TEST_CASE("ARP frames and every frame's MACs agree with tshark: crafted capture") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  const char* a_mac = "02:00:00:00:00:01";
  const char* b_mac = "02:00:00:00:00:02";
  const char* c_mac = "02:00:00:00:00:05";
  const char* zero = "00:00:00:00:00:00";
  const char* all = "ff:ff:ff:ff:ff:ff";
  const std::string a = ipv4_bytes(192, 168, 219, 164), b = ipv4_bytes(192, 168, 219, 113);
  const std::string c = ipv4_bytes(192, 168, 219, 50), none = ipv4_bytes(0, 0, 0, 0);
  const std::vector<std::pair<double, std::string>> frames = {
      {1.000, arp_frame({all, a_mac, 1, a_mac, a, zero, b})},                    // 1 who has .113? tell .164
      {1.001, arp_frame({a_mac, b_mac, 2, b_mac, b, a_mac, a})},                 // 2 .113 is at b_mac
      {1.002, tcp_frame(a_mac, b_mac, a, b, 40000, 80, 1000, 0, SYN)},           // 3 SYN to the MAC of the reply
      {1.003, tcp_frame(b_mac, a_mac, b, a, 80, 40000, 5000, 1001, SYN | ACK)},  // 4 SYN-ACK
      {1.004, arp_frame({all, c_mac, 1, c_mac, none, zero, c})},                 // 5 probe for .50
      {1.005, arp_frame({all, c_mac, 1, c_mac, c, zero, c})},                    // 6 announcement of .50
      {1.006, arp_frame({all, c_mac, 1, c_mac, c, all, c})},                     // 7 gratuitous request, not an announcement
      {1.007, arp_frame({all, b_mac, 2, b_mac, b, all, b})},                     // 8 gratuitous reply
      {1.008, arp_frame({all, c_mac, 1, c_mac, none, a_mac, c})},                // 9 from 0.0.0.0 with a target MAC: no probe
      {1.009, arp_frame({a_mac, b_mac, 8, b_mac, b, a_mac, a})},                 // 10 operation 8 (InARP)
      {1.010, arp_frame({all, a_mac, 1, a_mac, a, zero, b, 6})},                 // 11 hardware type 6 (IEEE 802)
      {1.011, arp_frame({all, a_mac, 1, a_mac, a, zero, b, 1, 7})},              // 12 ar$hln 7 for Ethernet
      {1.012, arp_frame({all, a_mac, 1, a_mac, a, zero, b, 1, 6, 10})},          // 13 on VLAN 10
      {1.013, arp_frame({all, a_mac, 3, a_mac, none, a_mac, none, 1, 6, 0, 0x8035})},  // 14 RARP request
      {1.014, arp_frame({"01:00:5e:00:00:fb", a_mac, 1, a_mac, a, zero, b})},    // 15 a request to a group address
  };
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/crafted-arp.pcap";
  write_frames(file, frames);
  const auto run = run_program({lab_binary(), "annotate", file, "--format", "json"}, 60000);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto ours = packets_of(run.out);
  const auto theirs = ws::run_tshark(file);
  Tally tally;
  tally.add(ws::compare(file, ours, theirs));
  INFO("mismatches with tshark:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.macs == frames.size());
  CHECK(tally.arp == 12);  // all but the two TCP frames and RARP
  CHECK(tally.tcp == 2);
  // Each kind is there, by tshark's own account, so that agreement is not agreement on nothing.
  std::set<std::string> kinds;
  for (const auto& t : theirs) {
    if (t.arp_gratuitous) kinds.insert("gratuitous");
    if (t.arp_probe) kinds.insert("probe");
    if (t.arp_announcement) kinds.insert("announcement");
  }
  CHECK(kinds == std::set<std::string>{"announcement", "gratuitous", "probe"});
  // What lab adds and tshark does not say: the reply answers the request, the SYN goes to the reply's MAC.
  REQUIRE(ours.size() == frames.size());
  CHECK(ours[1]["answers"] == 1);
  CHECK(ours[2]["dst_mac_from_arp"] == 2);
  CHECK(ours[3]["dst_mac_from_arp"].is_null());
}

// The corpus's well-formed captures whose protocol stacks name ARP (Ethernet, VLAN-tagged, Linux cooked, inside
// tunnels): every frame's MACs and every ARP frame's fields against tshark. The TCP-bearing teaching captures get the
// same comparison in the shards above.
TEST_CASE("corpus captures with ARP agree with tshark on ARP and MACs") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  const auto files = ws::arp_captures();
  if (files.empty()) {
    LAB_SKIP("no corpus at " LAB_SOURCE_DIR "/../shared/corpus: ARP differential over the corpus skipped");
  }
  Tally tally;
  for (const auto& file : files) {
    const auto run = run_program({lab_binary(), "annotate", file, "--format", "json"}, 60000);
    INFO("lab annotate " << file << ": " << run.err);
    REQUIRE(run.exit_code == 0);
    tally.add(ws::compare_link(file, packets_of(run.out), ws::run_tshark(file)));
  }
  std::cout << "ARP differential over " << tally.files << " corpus captures: " << tally.arp << " ARP frames, "
            << tally.macs << " frames' MACs compared, " << tally.excused << " excused\n"
            << lines(tally.excuses);
  INFO("mismatches with tshark:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.arp >= 20);
}

namespace {

// A conversation written as the bytes each side sends, in order; sequence numbers and ACKs follow by themselves.
struct Script {
  std::vector<Segment> segments;
  std::uint32_t c = 1000, s = 5000;
  double t = 1;
  Script() {
    add(true, SYN, "");
    add(false, SYN | ACK, "");
    add(true, ACK, "");
  }
  void add(bool from_client, std::uint8_t flags, const std::string& data) {
    t += 0.001;
    std::uint32_t& seq = from_client ? c : s;
    const std::uint32_t ack = from_client ? s : c;
    segments.push_back({t, from_client, seq, (flags & ACK) ? ack : 0, flags, data});
    seq += static_cast<std::uint32_t>(data.size()) + ((flags & (SYN | FIN)) ? 1 : 0);
  }
  void client(const std::string& data) { add(true, PSH | ACK, data); }
  void server(const std::string& data) { add(false, PSH | ACK, data); }
  void close(bool client_first = true) {
    add(client_first, FIN | ACK, "");
    add(!client_first, FIN | ACK, "");
    add(client_first, ACK, "");
  }
};

// Per frame, the HTTP messages that became whole there (their methods and status codes), as tshark shows them: at
// the frame where the message, body included, is complete.
struct HttpWhole {
  std::vector<std::string> methods, codes;
};

std::map<std::uint32_t, HttpWhole> ours_http(const std::vector<json>& packets) {
  std::map<std::uint32_t, HttpWhole> whole;
  std::map<std::uint32_t, json> open_body;  // head packet -> its message whose body ends later
  for (const json& p : packets) {
    const auto frame = p["index"].get<std::uint32_t>();
    if (!p.contains("http") || p["http"].is_null()) continue;
    const json& h = p["http"];
    auto add = [&](const json& m) {
      if (m["type"] == "request") whole[frame].methods.push_back(m["method"].get<std::string>());
      else whole[frame].codes.push_back(std::to_string(m["status"].get<int>()));
    };
    for (const json& end : h["body_ends"]) {
      const auto it = open_body.find(end["of_packet"].get<std::uint32_t>());
      if (it != open_body.end()) add(it->second);
    }
    for (const json& m : h["messages"]) {
      if (m["body_ends_here"].get<bool>()) add(m);
      else open_body[frame] = m;
    }
  }
  return whole;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) items.push_back(item);
  return items;
}

struct HttpTally {
  std::size_t frames = 0, messages = 0;
};

// `lab annotate FILE` against tshark on FILE: per frame, the HTTP methods and status codes of the messages that
// became whole there, and the colouring rule.
void compare_http(const std::string& file, HttpTally& tally) {
  const auto run = run_program({lab_binary(), "annotate", file, "--format", "json"}, 60000);
  REQUIRE(run.exit_code == 0);
  const auto packets = packets_of(run.out);
  const auto tshark = run_program({ws::tshark_path(), "-n", "-r", file, "--color", "-T", "fields", "-E", "separator=|",
                                   "-E", "occurrence=a", "-E", "aggregator=,", "-e", "frame.number", "-e",
                                   "http.request.method", "-e", "http.response.code", "-e", "frame.coloring_rule.name"},
                                  60000);
  REQUIRE(tshark.exit_code == 0);
  const auto ours = ours_http(packets);
  std::map<std::uint32_t, std::string> our_colour;
  for (const json& p : packets)
    our_colour[p["index"].get<std::uint32_t>()] = p["coloring_rule"].is_null() ? "" : p["coloring_rule"].get<std::string>();
  std::stringstream lines_in(tshark.out);
  for (std::string line; std::getline(lines_in, line);) {
    std::vector<std::string> cols;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '|');) cols.push_back(cell);
    cols.resize(4);
    const auto frame = static_cast<std::uint32_t>(std::stoul(cols[0]));
    INFO(file << " frame " << frame);
    const auto it = ours.find(frame);
    const HttpWhole mine = it == ours.end() ? HttpWhole{} : it->second;
    CHECK(mine.methods == split_commas(cols[1]));
    CHECK(mine.codes == split_commas(cols[2]));
    CHECK(our_colour[frame] == cols[3]);
    tally.messages += mine.methods.size() + mine.codes.size();
    ++tally.frames;
  }
}

}  // namespace

// HTTP read from the bytes on any port, against Wireshark's HTTP dissector on its own port 8080: the request methods
// and status codes at the frames where each message becomes whole (heads split over segments, bodies by
// Content-Length, chunked, or the close; pipelining, HEAD, 100 Continue), and Wireshark's default colouring rule on
// every frame (HTTP green where a message became whole, SYN/FIN grey, the rest TCP; port 80 all HTTP).
TEST_CASE("HTTP messages and colouring rules agree with tshark: crafted captures") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  const std::string get = "GET /ping HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nUser-Agent: lab-test\r\nAccept: */*\r\n\r\n";
  const std::string pong = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"pong\":true}";
  Script keep_alive;  // two requests on one connection: the second's head in three segments, its body in two
  keep_alive.client(get);
  keep_alive.server(pong);
  keep_alive.client(get.substr(0, 10));
  keep_alive.client(get.substr(10, 30));
  keep_alive.client(get.substr(40));
  keep_alive.server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
  keep_alive.server("abcd");
  keep_alive.server("efghij");
  keep_alive.close();

  Script pipelined;  // two requests in one segment, a chunked answer cut inside a chunk, a HEAD, a 304
  pipelined.client(get + get);
  pipelined.server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWi");
  pipelined.server("ki\r\n5\r\npedia\r\n0\r\n\r\n" + pong);
  pipelined.client("HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  pipelined.server("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n");
  pipelined.client("GET /ping HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"1\"\r\n\r\n");
  pipelined.server("HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n");
  pipelined.close();

  Script upload;  // a POST whose body follows a 100 Continue, then a response that says Connection: close
  upload.client("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  upload.server("HTTP/1.1 100 Continue\r\n\r\n");
  upload.client("hello");
  upload.server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  upload.close();

  Script legacy;  // HTTP/1.0: a status line cut in two, a body without a length, ended by the server's FIN
  legacy.client("GET / HTTP/1.0\r\n\r\n");
  legacy.server("HTTP/1.0 200");
  legacy.server(" OK\r\nContent-Type: text/plain\r\n\r\nhello ");
  legacy.server("world");
  legacy.close(false);

  struct Case {
    const char* file;
    const Script& script;
    std::uint16_t port;
  };
  const std::vector<Case> cases = {{"crafted-http-keep-alive.pcap", keep_alive, 8080},
                                   {"crafted-http-pipelined.pcap", pipelined, 8080},
                                   {"crafted-http-upload.pcap", upload, 8080},
                                   {"crafted-http-until-close.pcap", legacy, 8080},
                                   {"crafted-http-port-80.pcap", keep_alive, 80}};
  lab::test::TempDir dir;
  HttpTally tally;
  for (const auto& c : cases) {
    const std::string file = dir.path() + "/" + c.file;
    write_capture(file, c.script.segments, c.port);
    compare_http(file, tally);
  }
  CHECK(tally.frames >= 60);     // every frame of every case was compared
  CHECK(tally.messages >= 21);
}

// lab http-ping's own captures (--write), read back by lab and by tshark: one connection with keep-alive, one per
// request, and a request the wire dropped and the client sent again.
TEST_CASE("lab http-ping's captures: HTTP messages and colouring rules agree with tshark") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  lab::test::TempDir dir;
  HttpTally tally;
  const std::vector<std::vector<std::string>> runs = {
      {"--requests", "3", "--keep-alive"}, {"--requests", "2"}, {"--drop", "request"}};
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string file = dir.path() + "/http-ping-" + std::to_string(i) + ".pcap";
    std::vector<std::string> argv = {lab_binary(), "http-ping", "--format", "json", "--write", file};
    argv.insert(argv.end(), runs[i].begin(), runs[i].end());
    const auto run = run_program(argv, 60000);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    compare_http(file, tally);
  }
  CHECK(tally.messages == 2 * (3 + 2 + 1));  // every request and every response, each where tshark has it
}

// TLS records and handshake messages against tshark's tls.record.content_type, tls.record.opaque_type and
// tls.handshake.type, frame by frame, on two real captures kept in the repository: OpenSSL 3.0's s_client against
// s_server over the loopback, once with TLS 1.3 and once with TLS 1.2 (ClientHello to the encrypted alerts).
TEST_CASE("TLS 1.3 and 1.2 records and handshakes agree with tshark: OpenSSL's s_client and s_server") {
  if (ws::tshark_path().empty()) {
    LAB_SKIP("tshark is not installed (./setup.sh test installs it): Wireshark differential skipped");
  }
  Tally tally;
  for (const char* name : {"openssl-s_client-tls13.pcap", "openssl-s_client-tls12.pcap"})
    tally.add(annotate_and_compare(std::string(LAB_SOURCE_DIR) + "/tests/wireshark/data/" + name));
  INFO("mismatches with tshark:\n" << lines(tally.fresh));
  CHECK(tally.fresh.empty());
  CHECK(tally.tls >= 12);  // the frames that carry records, on both captures
}
