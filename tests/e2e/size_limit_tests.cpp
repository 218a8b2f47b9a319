// End to end, at the edges of what a lab is asked to carry: a TCP message far larger than every socket
// buffer (the client must read while it writes), a UDP message larger than any datagram, and a --drop
// rule whose packet never comes.
#include <chrono>
#include <string>
#include <vector>

#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"

using lab::test::run_lab;
using nlohmann::json;

namespace {

// The summary, the JSON stream's last line (parsing only it keeps a 16 MiB run's test quick).
json summary_of(const std::string& out) {
  const std::size_t end = out.find_last_not_of('\n');
  REQUIRE(end != std::string::npos);
  const std::size_t start = out.rfind('\n', end);
  const json summary = json::parse(out.substr(start == std::string::npos ? 0 : start + 1, end + 1));
  REQUIRE(summary["type"] == "summary");
  return summary;
}

bool one_line(const std::string& text) { return text.find('\n') == text.size() - 1; }

// The text with its lines joined: closing lines wrap at the terminal's width, wherever a test runs.
std::string unwrapped(std::string text) {
  for (char& c : text) c = c == '\n' ? ' ' : c;
  return text;
}

// A whole echo of `size` bytes: the client exits 0, each side sent every byte once, both closed with FINs.
void check_whole_echo(const std::vector<std::string>& args, std::size_t size) {
  const auto started = std::chrono::steady_clock::now();
  const auto run = run_lab(args);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(run.err);
  INFO("took " << seconds << " s");
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  const json summary = summary_of(run.out);
  REQUIRE(summary["conversations"].size() == 1);
  const json& c = summary["conversations"][0];
  CHECK(c["sent"]["client"]["payload_bytes"] == size);
  CHECK(c["sent"]["server"]["payload_bytes"] == size);
  CHECK(c["payload_bytes"] == 2 * size);
  CHECK(c["ended"] == "closed");
  CHECK(summary["drops_never_matched"] == json::array());
  CHECK(seconds < 10);  // far inside the lab's own 15 s deadline
}

}  // namespace

// Before the client read while it wrote, 3,000,000 bytes were enough: both windows fell to zero, the client
// timed out after 10 s, reset the connection and the lab exited 1.
TEST_CASE("lab tcp-echo --size 3000000: no deadlock, every byte echoed") {
  check_whole_echo({"tcp-echo", "--size", "3000000", "--format", "json"}, 3'000'000);
}

TEST_CASE("lab tcp-echo --size 16777216 (the most --size allows): every byte echoed, with and without --mss") {
  SECTION("default MSS") { check_whole_echo({"tcp-echo", "--size", "16777216", "--format", "json"}, 16'777'216); }
  SECTION("--mss 1000") {
    check_whole_echo({"tcp-echo", "--size", "16777216", "--mss", "1000", "--format", "json"}, 16'777'216);
  }
}

TEST_CASE("lab udp-echo with a message larger than any datagram: a usage error naming the limit and why") {
  SECTION("IPv4: 65,507 bytes") {
    const auto run = run_lab({"udp-echo", "--size", "70000"});
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(one_line(run.err));
    CHECK(run.err.find("--size 70000: too large for UDP") != std::string::npos);
    CHECK(run.err.find("at most 65507 bytes of data") != std::string::npos);
    CHECK(run.err.find("16-bit") != std::string::npos);
    CHECK(run.err.find("20 of them the IPv4 header and 8 the UDP header") != std::string::npos);
  }
  SECTION("IPv6: 65,527 bytes") {
    const auto run = run_lab({"udp-echo", "-6", "--size", "65528"});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("at most 65527 bytes of data") != std::string::npos);
  }
  SECTION("the largest datagram itself is sent and echoed") {
    const auto run = run_lab({"udp-echo", "--size", "65507", "--format", "json"});
    INFO(run.err);
    CHECK(run.exit_code == 0);
  }
}

TEST_CASE("lab compare --size 70000: TCP echoes it, UDP cannot send it, and says why") {
  SECTION("JSON") {
    const auto run = run_lab({"compare", "--size", "70000", "--format", "json"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const json compare = json::parse(run.out);
    CHECK(compare["tcp"]["bytes_echoed"] == 70000);
    CHECK(compare["tcp"]["client_ok"] == true);
    const json& udp = compare["udp"];
    CHECK(udp["too_large"] == true);
    CHECK(udp["max_datagram_payload"] == 65507);
    CHECK(udp["client_ok"] == false);
    CHECK(udp["packets"] == 0);  // the kernel refused it: nothing went on the wire
    CHECK(udp["client_error"].get<std::string>().find("Message too long") != std::string::npos);
  }
  SECTION("text") {
    const auto run = run_lab({"compare", "--size", "70000"});
    REQUIRE(run.exit_code == 0);
    CHECK(unwrapped(run.out).find("UDP failed: the kernel refused to send the datagram (Message too long): a UDP datagram "
                       "over IPv4") != std::string::npos);
    CHECK(run.out.find("TCP has no such limit") != std::string::npos);
  }
  SECTION("a size that fits: no failure, too_large false") {
    const auto run = run_lab({"compare", "--size", "1000", "--format", "json"});
    REQUIRE(run.exit_code == 0);
    const json compare = json::parse(run.out);
    CHECK(compare["udp"]["too_large"] == false);
    CHECK(compare["udp"]["client_ok"] == true);
  }
}

TEST_CASE("lab tcp-echo --drop request:99 with one message: the rule never matched, and the lab says so") {
  SECTION("text: the closing lines") {
    const auto run = run_lab({"tcp-echo", "--annotate", "--drop", "request:99"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(unwrapped(run.out).find("--drop request:99 never matched: the client sent only 1 request, so it dropped nothing.") !=
          std::string::npos);
  }
  SECTION("JSON: the summary's drops_never_matched, beside a rule that did match") {
    const auto run = run_lab({"tcp-echo", "--format", "json", "--drop", "request:99", "--drop", "reply"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const json summary = summary_of(run.out);
    const json expected = json::array({{{"rule", "request:99"}, {"kind", "request"}, {"nth", 99}, {"seen", 1}}});
    CHECK(summary["drops_never_matched"] == expected);
    CHECK(summary["conversations"][0]["dropped_by_lab"] == 1);  // the reply rule did its work
  }
  SECTION("UDP: the third reply of one message") {
    const auto run = run_lab({"udp-echo", "--format", "json", "--drop", "reply:3"});
    REQUIRE(run.exit_code == 0);
    const json summary = summary_of(run.out);
    REQUIRE(summary["drops_never_matched"].size() == 1);
    CHECK(summary["drops_never_matched"][0]["seen"] == 1);
  }
}

TEST_CASE("lab compare --drop syn: UDP has no SYN, and the comparison says the rule matched nothing there") {
  const auto run = run_lab({"compare", "--drop", "syn", "--format", "json"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const json compare = json::parse(run.out);
  CHECK(compare["tcp"]["drops_never_matched"] == json::array());
  REQUIRE(compare["udp"]["drops_never_matched"].size() == 1);
  CHECK(compare["udp"]["drops_never_matched"][0]["kind"] == "syn");
  CHECK(compare["udp"]["drops_never_matched"][0]["seen"] == 0);
  const auto text = run_lab({"compare", "--drop", "syn"});
  CHECK(unwrapped(text.out).find("UDP: --drop syn never matched: the client sent no SYN, so it dropped nothing.") !=
        std::string::npos);
}
