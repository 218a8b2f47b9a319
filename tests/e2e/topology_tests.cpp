// End to end, --topology two-hosts and --mtu (issue 10): each side on its own host of a pair built like the classroom network,
// ARP on the wire before the first packet, and the MTU deciding TCP's segments and UDP's fragments.
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using nlohmann::json;

namespace {

const std::string client_ip = "192.168.219.164";
const std::string server_ip = "192.168.219.113";

std::vector<json> of_type(const std::vector<json>& lines, const std::string& type) {
  std::vector<json> out;
  for (const json& line : lines)
    if (line["type"] == type) out.push_back(line);
  return out;
}

// The lab's own first line, the ARP request and reply, and the MACs on every frame after them; returns the packets.
std::vector<json> check_two_hosts_run(const std::vector<std::string>& args, const std::string& first_proto) {
  const auto run = run_lab(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto lines = json_lines(run.out);
  REQUIRE(!lines.empty());
  const json& lab = lines.front();
  CHECK(lab["type"] == "lab");
  CHECK(lab["topology"] == "two-hosts");
  CHECK(lab["client_host"] == client_ip);
  CHECK(lab["server_host"] == server_ip);
  CHECK(lab["arp"] == true);
  const auto packets = of_type(lines, "packet");
  REQUIRE(packets.size() >= 4);

  const json& request = packets[0];
  CHECK(request["proto"] == "arp");
  CHECK(request["op"] == "request");
  CHECK(request["sender_ip"] == client_ip);
  CHECK(request["target_ip"] == server_ip);
  CHECK(request["dst_mac"] == "ff:ff:ff:ff:ff:ff");
  CHECK(request["target_mac"] == "00:00:00:00:00:00");
  CHECK(request["note"].get<std::string>().find("who has " + server_ip + "? Tell " + client_ip) != std::string::npos);

  const json& reply = packets[1];
  CHECK(reply["proto"] == "arp");
  CHECK(reply["op"] == "reply");
  CHECK(reply["sender_ip"] == server_ip);
  CHECK(reply["target_ip"] == client_ip);
  CHECK(reply["answers"] == 1);
  CHECK(reply["dst_mac"] == request["src_mac"]);  // sent straight to the asker
  CHECK(reply["sender_mac"] == reply["src_mac"]);

  // The first IP packet goes to the MAC the reply gave, and says so; every frame names both MACs.
  const json& first = packets[2];
  CHECK(first["proto"] == first_proto);
  CHECK(first["src"].get<std::string>().starts_with(client_ip + ":"));
  CHECK(first["dst_mac"] == reply["sender_mac"]);
  CHECK(first["dst_mac_from_arp"] == 2);
  for (const json& p : packets) {
    CHECK(p["src_mac"].get<std::string>().size() == 17);
    CHECK(p["dst_mac"].get<std::string>().size() == 17);
  }
  // No second ARP: the answer is cached.
  std::size_t arp = 0;
  for (const json& p : packets) arp += p["proto"] == "arp" ? 1 : 0;
  CHECK(arp == 2);
  return packets;
}

}  // namespace

TEST_CASE("tcp-echo --topology two-hosts: ARP, then the handshake from .164 to .113:65432") {
  const auto packets = check_two_hosts_run({"tcp-echo", "--topology", "two-hosts", "--format", "json"}, "tcp");
  CHECK(packets[2]["dst"] == server_ip + ":65432");
  CHECK(packets[2]["flags"] == json::array({"SYN"}));
  bool hello = false;
  for (const json& p : packets) {
    if (p["proto"] == "tcp" && p["len"] == 6) {
      hello = true;
      CHECK(p["seq"] == 1);
      CHECK(p["next_seq"] == 7);
      break;
    }
  }
  CHECK(hello);
}

TEST_CASE("udp-echo --topology two-hosts: ARP, then the datagram to .113:5005") {
  const auto packets = check_two_hosts_run({"udp-echo", "--topology", "two-hosts", "--format", "json"}, "udp");
  CHECK(packets[2]["dst"] == server_ip + ":5005");
  CHECK(packets.size() == 4);  // ARP twice, the datagram and its echo
}

TEST_CASE("tcp-echo --topology two-hosts --drop syn: the drop and the retransmission explained after ARP") {
  const auto packets =
      check_two_hosts_run({"tcp-echo", "--topology", "two-hosts", "--drop", "syn", "--format", "json"}, "tcp");
  CHECK(packets[2]["dropped_by_lab"] == true);
  CHECK(packets[3]["flags"] == json::array({"SYN"}));
  CHECK(packets[3]["dropped_by_lab"] == false);
  CHECK(packets[3]["analysis"].dump().find("retransmission") != std::string::npos);
}

TEST_CASE("compare --mtu 1000 --size 3000: TCP cuts segments, UDP's datagrams go in IP fragments") {
  const auto run = run_lab({"compare", "--mtu", "1000", "--size", "3000", "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const json c = json::parse(run.out);
  CHECK(c["mtu"] == 1000);
  CHECK(c["topology"] == "quiet-pair");
  const json& tcp = c["tcp"];
  const json& udp = c["udp"];
  CHECK(tcp["mss_offered"] == 960);  // the MTU less 20 bytes of IPv4 and 20 of TCP header
  CHECK(tcp["ip_fragments"] == 0);
  CHECK(tcp["largest_ip_packet"] == 1000);  // full segments: 960 bytes of data and 40 of headers
  CHECK(tcp["data_segments"].get<int>() >= 2 * 4);  // 3000 bytes each way, at most 960 in a segment
  CHECK(tcp["data_segments_to_server"].get<int>() >= 4);
  CHECK(tcp["data_segments"].get<int>() - tcp["data_segments_to_server"].get<int>() >= 4);
  CHECK(tcp["data_segments_sent_again"] == 0);
  CHECK(tcp["payload_bytes"] == 6000);
  // 3008 bytes of UDP datagram, 976 (a multiple of 8) in each fragment: 4 fragments each way.
  CHECK(udp["ip_fragments"] == 8);
  CHECK(udp["ip_fragments_to_server"] == 4);
  CHECK(udp["largest_ip_packet"] == 20 + 976);
  CHECK(udp["payload_bytes"] == 6000);
  CHECK(udp["header_bytes"] == 8 * (14 + 20) + 2 * 8);
  CHECK(udp["messages_echoed"] == 1);
}

TEST_CASE("compare --mtu 1000 --size 3000 --drop request: the fragments that went one way, and a segment sent again") {
  const auto run = run_lab({"compare", "--mtu", "1000", "--size", "3000", "--drop", "request", "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const json c = json::parse(run.out);
  // UDP: the first fragment of the request is dropped, so the server's host never has the datagram to echo.
  CHECK(c["udp"]["ip_fragments"] == 4);
  CHECK(c["udp"]["ip_fragments_to_server"] == 4);
  CHECK(c["udp"]["messages_echoed"] == 0);
  // TCP: the dropped segment is sent again, and counted as such among the data segments.
  CHECK(c["tcp"]["data_segments_sent_again"].get<int>() >= 1);
  CHECK(c["tcp"]["messages_echoed"] == 1);
  const auto text = run_lab({"compare", "--mtu", "1000", "--size", "3000", "--drop", "request"});
  REQUIRE(text.exit_code == 0);
  std::string flat = text.out;
  for (char& ch : flat) ch = ch == '\n' ? ' ' : ch;
  CHECK(flat.find("4 in all (4 to the server, none back); a datagram one of whose fragments is lost is lost whole") !=
        std::string::npos);
  CHECK(flat.find("of them sent again") != std::string::npos);
}

TEST_CASE("compare --topology two-hosts: both runs begin with ARP, counted apart from the conversation") {
  const auto run = run_lab({"compare", "--topology", "two-hosts", "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const json c = json::parse(run.out);
  CHECK(c["topology"] == "two-hosts");
  CHECK(c["mtu"] == 1500);
  for (const char* side : {"tcp", "udp"}) {
    INFO(side);
    CHECK(c[side]["arp_packets"] == 2);
    CHECK(c[side]["arp_before_first_ip"] == 2);
    CHECK(c[side]["arp_bytes"] == 2 * 42);  // 14 bytes of Ethernet header, 28 of ARP
    CHECK(c[side]["wire_bytes"] == c[side]["header_bytes"].get<int>() + c[side]["payload_bytes"].get<int>() +
                                       c[side]["arp_bytes"].get<int>());
    CHECK(c[side]["packets"] == c[side]["handshake_packets"].get<int>() + c[side]["data_packets"].get<int>() +
                                    c[side]["teardown_packets"].get<int>() + 2);
  }
  CHECK(c["udp"]["packets"] == 4);
}

TEST_CASE("two-hosts is IPv4's, and --topology and --mtu need the lab's private hosts") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"tcp-echo", "--topology", "two-hosts", "--ipv6"},
        std::vector<std::string>{"compare", "--topology", "two-hosts", "-6"},
        std::vector<std::string>{"udp-echo", "--mtu", "1000", "-6"},
        std::vector<std::string>{"tcp-echo", "--topology", "two-hosts", "--netns", "host"},
        std::vector<std::string>{"tcp-echo", "--topology", "ring"}, std::vector<std::string>{"compare", "--mtu", "100"}}) {
    const auto run = run_lab(args);
    INFO(args[1] << " " << args[2] << ": " << run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    REQUIRE(!run.err.empty());
    CHECK(run.err.find('\n') == run.err.size() - 1);  // one line
  }
}

TEST_CASE("text: the summary counts ARP apart from the conversation") {
  const auto run = run_lab({"tcp-echo", "--topology", "two-hosts"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::string text = run.out;
  for (char& ch : text) ch = ch == '\n' ? ' ' : ch;
  CHECK(text.find("carried this conversation; 2 more were ARP") != std::string::npos);
  CHECK(text.find("192.168.219.164 and the server at 192.168.219.113") != std::string::npos);
}
