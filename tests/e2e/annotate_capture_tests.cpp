// `lab annotate FILE` and `lab capture`, end to end with the real binary.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using nlohmann::json;

namespace {

std::vector<json> packets_of(const std::vector<json>& lines) {
  std::vector<json> out;
  for (const auto& l : lines)
    if (l["type"] == "packet") out.push_back(l);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

int line_count(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

}  // namespace

// The live lab knows more than its file holds: that its server listened (LISTEN before the SYN) and when each program
// called close() (the state changes at the call, before the FIN). So the notes may differ where they tell a state
// change; everything the packets say is the same, the states after each packet too, and so is each note's opening.
TEST_CASE("lab annotate reads a lab's own capture as the lab did: the same facts and states after every packet") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/echo.pcap";
  const auto live = run_lab({"tcp-echo", "--format", "json", "-m", "one", "-m", "two", "--write", file});
  REQUIRE(live.exit_code == 0);
  const auto offline = run_lab({"annotate", file, "--format", "json"});
  INFO(offline.err);
  REQUIRE(offline.exit_code == 0);
  const auto a = packets_of(json_lines(live.out));
  const auto b = packets_of(json_lines(offline.out));
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("packet " << i + 1);
    for (const char* field : {"index", "src", "dst", "from", "to", "len", "flags", "seq", "ack", "window", "phase",
                              "states", "stream", "analysis"})
      CHECK(a[i][field] == b[i][field]);
    const std::string live_note = a[i]["note"], file_note = b[i]["note"];
    CHECK(live_note.substr(0, live_note.find(". ")) == file_note.substr(0, file_note.find(". ")));
    CHECK(a[i]["time"].get<double>() == Approx(b[i]["time"].get<double>()).margin(1e-9));
  }
  const auto text = run_lab({"annotate", file, "--color", "never"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("tcp 0  client:") != std::string::npos);  // each packet names its conversation
  CHECK(text.out.find("Handshake 3/3") != std::string::npos);
}

TEST_CASE("lab annotate --filter keeps only the packets the BPF expression matches") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/echo.pcap";
  REQUIRE(run_lab({"tcp-echo", "--format", "json", "--write", file}).exit_code == 0);
  const auto run = run_lab({"annotate", file, "--format", "json", "--filter", "tcp[tcpflags] & tcp-syn != 0"});
  REQUIRE(run.exit_code == 0);
  const auto packets = packets_of(json_lines(run.out));
  REQUIRE(packets.size() == 2);
  CHECK(packets[0]["flags"] == json::array({"SYN"}));
  CHECK(packets[1]["flags"] == json::array({"SYN", "ACK"}));
  const auto bad = run_lab({"annotate", file, "--filter", "tcp prot 80"});
  CHECK(bad.exit_code == 1);
  CHECK(line_count(bad.err) == 1);
  CHECK(bad.err.find("bad capture filter") != std::string::npos);
}

TEST_CASE("lab annotate on broken files: every complete record, then one clear line and a non-zero exit") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/echo.pcap";
  REQUIRE(run_lab({"tcp-echo", "--format", "json", "--write", file}).exit_code == 0);
  const std::string whole = read_file(file);

  SECTION("a file cut in the middle of its last record") {
    const std::string cut = dir.path() + "/cut.pcap";
    write_file(cut, whole.substr(0, whole.size() - 10));
    const auto run = run_lab({"annotate", cut, "--format", "json"});
    CHECK(run.exit_code == 1);
    CHECK(line_count(run.err) == 1);
    CHECK(run.err.find("is cut short") != std::string::npos);
    const auto lines = json_lines(run.out);
    CHECK(packets_of(lines).size() == 9);      // the ten-packet capture minus the cut one
    CHECK(lines.back()["type"] == "summary");  // what was read is still summarised
  }
  SECTION("not a capture, an empty file, a missing file") {
    const std::string text = dir.path() + "/notes.txt";
    write_file(text, "these are not packets\n");
    const std::string empty = dir.path() + "/empty.pcap";
    write_file(empty, "");
    for (const std::string& path : {text, empty, dir.path() + "/missing.pcap"}) {
      const auto run = run_lab({"annotate", path});
      INFO(path << ": " << run.err);
      CHECK(run.exit_code == 1);
      CHECK(line_count(run.err) == 1);
      CHECK(run.err.rfind("lab: ", 0) == 0);
      CHECK(run.err.find(path) != std::string::npos);
    }
  }
  SECTION("a link type lab does not decode is named") {
    std::string ppp = whole.substr(0, 24);
    ppp[20] = 9;  // LINKTYPE_PPP, little-endian file header
    ppp[21] = ppp[22] = ppp[23] = 0;
    const std::string path = dir.path() + "/ppp.pcap";
    write_file(path, ppp);
    const auto run = run_lab({"annotate", path});
    CHECK(run.exit_code == 1);
    CHECK(run.err.find("PPP") != std::string::npos);
    CHECK(run.err.find("which lab does not decode") != std::string::npos);
  }
}

TEST_CASE("lab capture around a command: another program's traffic, in a private namespace, no rights needed") {
  // The program under capture here is a second lab on the namespace's own loopback; any program would do.
  const bool root = geteuid() == 0;  // then run as nobody, with a copy of lab that nobody can reach
  const std::string inner =
      (root ? lab::test::reachable_lab_binary() : lab::test::lab_binary()) + " tcp-echo --netns host -m ping > /dev/null";
  const auto run = run_lab({"capture", "--format", "json", "--", "/bin/sh", "-c", inner}, root);
  INFO(run.err);
  if (run.exit_code == 3 && run.err.find("namespace") != std::string::npos) {
    LAB_SKIP("unprivileged user namespaces are not allowed here: " << run.err);
  }
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  const auto packets = packets_of(lines);
  REQUIRE(packets.size() >= 8);
  CHECK(packets[0]["flags"] == json::array({"SYN"}));
  CHECK(packets[0]["dst"] == "127.0.0.1:65432");
  CHECK(lines.back()["type"] == "summary");
  CHECK(lines.back()["conversations"][0]["ended"] == "closed");

  const auto limited = run_lab({"capture", "--format", "json", "--count", "3", "--", "/bin/sh", "-c", inner});
  CHECK(packets_of(json_lines(limited.out)).size() == 3);

  const auto missing = run_lab({"capture", "--", "/nonexistent/program"});
  CHECK(missing.exit_code == 127);
  CHECK(missing.err.find("cannot run /nonexistent/program") != std::string::npos);
}

TEST_CASE("lab capture on the host without capture rights says what to do") {
  const auto run = run_lab({"capture", "--count", "1", "--duration", "1"}, geteuid() == 0);
  if (geteuid() == 0 || run.exit_code != 0) {  // as nobody (or a user without capture rights): refused
    CHECK(run.exit_code == 3);
    CHECK(line_count(run.err) == 1);
    CHECK(run.err.find("sudo") != std::string::npos);
    CHECK(run.err.find("lab capture -- ") != std::string::npos);
  }
  const auto list = run_lab({"capture", "--list-interfaces"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find(" lo") != std::string::npos);
}
