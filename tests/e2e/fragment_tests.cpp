// IP fragmentation end to end: `lab udp-echo --size 3000` sends a datagram bigger than the lab wire's 1500-byte MTU,
// so IP splits each one into three fragments. Each fragment must be explained as one (never as a malformed UDP
// header), the datagram explained once when whole, and the facts must match tshark's reassembly of the same file.
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using nlohmann::json;

namespace {

std::vector<json> packets_of(const std::string& out) {
  std::vector<json> packets;
  for (auto& line : json_lines(out))
    if (line["type"] == "packet") packets.push_back(line);
  return packets;
}

json summary_of(const std::string& out) {
  for (auto& line : json_lines(out))
    if (line["type"] == "summary") return line;
  return {};
}

// The facts every run of the 3000-byte echo must show, live or read back from its file.
void check_fragments(const std::vector<json>& packets) {
  REQUIRE(packets.size() == 6);  // two datagrams of 3008 bytes, three fragments each (1480 + 1480 + 48)
  std::map<long, std::vector<const json*>> by_id;
  for (const json& p : packets) {
    INFO(p.dump());
    CHECK_FALSE(p.contains("error"));
    CHECK(p["note"].get<std::string>().find("Malformed") == std::string::npos);
    REQUIRE(p["fragment"].is_object());
    CHECK(p["fragment"]["problem"].is_null());
    by_id[p["fragment"]["id"].get<long>()].push_back(&p);
  }
  REQUIRE(by_id.size() == 2);
  for (const auto& [id, fragments] : by_id) {
    REQUIRE(fragments.size() == 3);
    std::vector<long> order;  // packet numbers in offset order
    std::map<long, long> at_offset;
    for (const json* f : fragments) at_offset[(*f)["fragment"]["offset"].get<long>()] = (*f)["index"].get<long>();
    for (const auto& [offset, index] : at_offset) order.push_back(index);
    CHECK(at_offset.count(0) == 1);
    long k = 0;
    for (const json* f : fragments) {
      const json& p = *f;
      INFO(p.dump());
      CHECK(p["fragment"]["index"] == ++k);
      const bool last = k == 3;
      CHECK(p["fragment"]["more"] == !last);
      if (p["fragment"]["offset"] == 0) {
        CHECK(p["udp_length"] == 3008);  // the whole datagram's length, in the first fragment's header
        CHECK(p["note"].get<std::string>().find("carries the UDP header") != std::string::npos);
      }
      if (!last) {
        CHECK_FALSE(p.contains("reassembled"));
        CHECK(p["stream"].is_null());  // not UDP's yet: the datagram is not whole
        continue;
      }
      REQUIRE(p["reassembled"].is_object());
      CHECK(p["reassembled"]["fragments"] == json(order));
      CHECK(p["reassembled"]["length"] == 3008);
      CHECK(p["proto"] == "udp");
      CHECK(p["len"] == 3000);
      CHECK(p["udp_length"] == 3008);
      CHECK(p["stream"] == 0);
      CHECK(p["note"].get<std::string>().find("completes the datagram") != std::string::npos);
    }
  }
}

}  // namespace

TEST_CASE("udp-echo --size 3000: each fragment explained, the datagram reassembled once, as tshark has it") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/fragments.pcap";
  const auto run = run_lab({"udp-echo", "--size", "3000", "--format", "json", "--write", file});
  INFO(run.err);
  if (run.exit_code == 3) LAB_SKIP("this environment does not allow a lab run: " << run.err);
  REQUIRE(run.exit_code == 0);
  const auto packets = packets_of(run.out);
  check_fragments(packets);
  // The conversation counts each datagram once: 3000 bytes each way, one datagram each, every fragment's wire bytes.
  const json summary = summary_of(run.out);
  REQUIRE(summary["conversations"].size() == 1);
  const json& c = summary["conversations"][0];
  CHECK(c["sent"]["client"]["payload_bytes"] == 3000);
  CHECK(c["sent"]["server"]["payload_bytes"] == 3000);
  CHECK(c["sent"]["client"]["packets"] == 1);
  CHECK(c["sent"]["server"]["packets"] == 1);
  long wire = 0;
  for (const json& p : packets) wire += p["wire_len"].get<long>();
  CHECK(c["wire_bytes"] == wire);

  // The same file read back by `lab annotate` tells the same.
  const auto annotated = run_lab({"annotate", file, "--format", "json"});
  REQUIRE(annotated.exit_code == 0);
  check_fragments(packets_of(annotated.out));

  // tshark reassembles too: the same frames complete the datagrams, from the same fragments, to the same length.
  if (access("/usr/bin/tshark", X_OK) != 0) LAB_SKIP("tshark not installed: the comparison with its reassembly skipped");
  const auto tshark = lab::test::run_program({"/usr/bin/tshark", "-r", file, "-T", "fields", "-E", "separator=|", "-e",
                                              "frame.number", "-e", "ip.fragment", "-e", "ip.reassembled.length", "-e",
                                              "udp.length", "-e", "udp.stream"});
  REQUIRE(tshark.exit_code == 0);
  std::istringstream rows(tshark.out);
  std::string row;
  int reassembled = 0;
  while (std::getline(rows, row)) {
    std::vector<std::string> f;
    std::istringstream cells(row);
    for (std::string cell; std::getline(cells, cell, '|');) f.push_back(cell);
    f.resize(5);
    INFO("tshark: " << row);
    const long index = std::stol(f[0]);
    REQUIRE(index >= 1);
    REQUIRE(static_cast<std::size_t>(index) <= packets.size());
    const json& p = packets[static_cast<std::size_t>(index) - 1];
    INFO(p.dump());
    if (f[3].empty()) {  // a fragment tshark keeps for later
      CHECK_FALSE(p.contains("reassembled"));
      continue;
    }
    ++reassembled;
    REQUIRE(p.contains("reassembled"));
    std::string ours;
    for (const auto& n : p["reassembled"]["fragments"]) ours += (ours.empty() ? "" : ",") + std::to_string(n.get<long>());
    CHECK(ours == f[1]);
    CHECK(p["reassembled"]["length"] == std::stol(f[2]));
    CHECK(p["udp_length"] == std::stol(f[3]));
    CHECK(p["stream"] == std::stol(f[4]));
  }
  CHECK(reassembled == 2);
}
