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

namespace {

void put16(std::string& out, unsigned v) {
  out += static_cast<char>((v >> 8) & 0xFF);
  out += static_cast<char>(v & 0xFF);
}
void put32le(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// A pcap file (version 2.4) of one link type, one frame every millisecond.
std::string pcap_of(std::uint32_t link_type, const std::vector<std::string>& frames) {
  std::string file;
  for (std::uint32_t v : {0xa1b2c3d4u, 0x00040002u, 0u, 0u, 65535u, link_type}) put32le(file, v);
  std::uint32_t usec = 0;
  for (const auto& f : frames) {
    put32le(file, 1);
    put32le(file, usec += 1000);
    put32le(file, static_cast<std::uint32_t>(f.size()));
    put32le(file, static_cast<std::uint32_t>(f.size()));
    file += f;
  }
  return file;
}

const std::string asker_mac("\x02\x00\x00\x00\x00\x01", 6), answer_mac("\x02\x00\x00\x00\x00\x02", 6);
const std::string broadcast_mac(6, '\xff'), no_mac(6, '\0');
const std::string asker_ip = "\xc0\xa8\xdb\xa4", asked_ip = "\xc0\xa8\xdb\x71";  // 192.168.219.164, .113

// ARP for Ethernet/IPv4 (RFC 826), field by field.
std::string arp_body(unsigned op, const std::string& sha, const std::string& spa, const std::string& tha,
                     const std::string& tpa) {
  std::string b;
  put16(b, 1);       // ar$hrd: Ethernet
  put16(b, 0x0800);  // ar$pro: IPv4
  b += '\x06';       // ar$hln
  b += '\x04';       // ar$pln
  put16(b, op);      // ar$op
  return b + sha + spa + tha + tpa;
}

std::string ethernet(const std::string& dst, const std::string& src, unsigned type, const std::string& payload) {
  std::string f = dst + src;
  put16(f, type);
  f += payload;
  if (f.size() < 60) f.resize(60, '\0');  // Ethernet's minimum, as a NIC pads it
  return f;
}

std::string syn_packet() {  // IPv4 + TCP SYN, 192.168.219.164:40000 -> 192.168.219.113:80
  std::string p;
  put16(p, 0x4500);
  put16(p, 40);
  put16(p, 1);
  put16(p, 0x4000);
  put16(p, 0x4006);
  put16(p, 0);
  p += asker_ip + asked_ip;
  put16(p, 40000);
  put16(p, 80);
  p += std::string("\x00\x00\x03\xe8", 4);  // seq 1000
  p += std::string(4, '\0');                // ack 0
  put16(p, 0x5002);                         // data offset 5, SYN
  put16(p, 65535);
  p += std::string(4, '\0');
  return p;
}

}  // namespace

// ARP from a file end to end: the request, its reply, and the SYN sent to the MAC the reply gave, as JSON facts; a
// question never answered is named in the summary; the same on a Linux cooked capture, which shows no MACs.
TEST_CASE("lab annotate: ARP request, reply and the SYN that uses the answer, as JSON facts") {
  lab::test::TempDir dir;
  const std::string file = dir.path() + "/arp.pcap";
  const std::vector<std::string> frames = {
      ethernet(broadcast_mac, asker_mac, 0x0806, arp_body(1, asker_mac, asker_ip, no_mac, asked_ip)),
      ethernet(asker_mac, answer_mac, 0x0806, arp_body(2, answer_mac, asked_ip, asker_mac, asker_ip)),
      ethernet(answer_mac, asker_mac, 0x0800, syn_packet()),
      ethernet(broadcast_mac, asker_mac, 0x0806, arp_body(1, asker_mac, asker_ip, no_mac, "\xc0\xa8\xdb\x09")),
  };
  write_file(file, pcap_of(1, frames));
  const auto run = run_lab({"annotate", file, "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  const auto packets = packets_of(lines);
  REQUIRE(packets.size() == 4);
  const json& request = packets[0];
  CHECK(request["proto"] == "arp");
  CHECK(request["op"] == "request");
  CHECK(request["src_mac"] == "02:00:00:00:00:01");
  CHECK(request["dst_mac"] == "ff:ff:ff:ff:ff:ff");
  CHECK(request["sender_mac"] == "02:00:00:00:00:01");
  CHECK(request["sender_ip"] == "192.168.219.164");
  CHECK(request["target_mac"] == "00:00:00:00:00:00");
  CHECK(request["target_ip"] == "192.168.219.113");
  CHECK(request["gratuitous"] == false);
  CHECK(request["probe"] == false);
  const json& reply = packets[1];
  CHECK(reply["op"] == "reply");
  CHECK(reply["answers"] == 1);
  CHECK(reply["sender_ip"] == "192.168.219.113");
  CHECK(reply["sender_mac"] == "02:00:00:00:00:02");
  CHECK(reply["dst_mac"] == "02:00:00:00:00:01");  // straight to the asker
  const json& syn = packets[2];
  CHECK(syn["proto"] == "tcp");
  CHECK(syn["flags"] == json::array({"SYN"}));
  CHECK(syn["src_mac"] == "02:00:00:00:00:01");
  CHECK(syn["dst_mac"] == "02:00:00:00:00:02");
  CHECK(syn["dst_mac_from_arp"] == 2);
  CHECK(packets[3]["dst_mac_from_arp"].is_null());
  const json& summary = lines.back();
  REQUIRE(summary["type"] == "summary");
  CHECK(summary["arp"]["requests"] == 2);
  CHECK(summary["arp"]["replies"] == 1);
  REQUIRE(summary["arp"]["unanswered"].size() == 1);
  CHECK(summary["arp"]["unanswered"][0]["packet"] == 4);
  CHECK(summary["arp"]["unanswered"][0]["target_ip"] == "192.168.219.9");

  // The text fits the terminal, names the unanswered request, and shows no raw byte.
  const auto text = run_lab({"annotate", file, "--color", "never"});
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("who has 192.168.219.113?") != std::string::npos);
  CHECK(text.out.find("192.168.219.113 is at 02:00:00:00:00:02") != std::string::npos);
  CHECK(text.out.find("no reply in this capture to: who has 192.168.219.9?") != std::string::npos);
  CHECK(text.out.find("(#4)") != std::string::npos);  // the summary's line may wrap before it
  std::size_t start = 0;
  while (start < text.out.size()) {
    const std::size_t end = text.out.find('\n', start);
    int cols = 0;
    for (std::size_t i = start; i < end; ++i) {
      const auto c = static_cast<unsigned char>(text.out[i]);
      cols += (c & 0xC0) != 0x80;
      CHECK((c >= 0x20 || c == '\t'));
    }
    CHECK(cols <= 80);
    start = end + 1;
  }

  // Linux cooked v2 (`tcpdump -i any`): the link layer has no MACs; ARP's own fields still say them.
  std::string sll2;
  put16(sll2, 0x0806);                                  // protocol: ARP
  sll2 += std::string(2, '\0');                         // reserved
  sll2 += std::string("\x00\x00\x00\x02", 4);           // interface index
  put16(sll2, 1);                                       // ARPHRD_ETHER
  sll2 += '\x01';                                       // packet type: broadcast
  sll2 += '\x06';                                       // address length
  sll2 += asker_mac + std::string(2, '\0');             // address (8 bytes)
  sll2 += arp_body(1, asker_mac, asker_ip, no_mac, asked_ip);
  const std::string cooked = dir.path() + "/cooked.pcap";
  write_file(cooked, pcap_of(276, {sll2}));
  const auto cooked_run = run_lab({"annotate", cooked, "--format", "json"});
  REQUIRE(cooked_run.exit_code == 0);
  const auto cooked_packets = packets_of(json_lines(cooked_run.out));
  REQUIRE(cooked_packets.size() == 1);
  CHECK(cooked_packets[0]["proto"] == "arp");
  CHECK(cooked_packets[0]["src_mac"].is_null());
  CHECK(cooked_packets[0]["dst_mac"].is_null());
  CHECK(cooked_packets[0]["sender_mac"] == "02:00:00:00:00:01");
  CHECK(cooked_packets[0]["target_ip"] == "192.168.219.113");
}
