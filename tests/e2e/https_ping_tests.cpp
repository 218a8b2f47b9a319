// End to end: `lab https-ping --format json --write F --keylog K`, the real binary in its private namespace. The JSON
// has the connection; the client's first data segment is a TLS record (its first byte 0x16: handshake), which
// tshark reads as the ClientHello; and with the key log tshark decrypts the capture and sees GET and 200 (issue
// 11's oracle: Wireshark can read the lab's HTTPS once it has the keys). tshark's checks skip when it is absent.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "capture/decode/frame.hpp"
#include "capture/decode/packet.hpp"
#include "capture/pcap/file_reader.hpp"
#include "tests/e2e/run_lab.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/skip.hpp"

using lab::test::json_lines;
using lab::test::run_lab;
using lab::test::run_program;
using nlohmann::json;

namespace {

constexpr const char* tshark_path = "/usr/bin/tshark";

struct HttpsRun {
  lab::test::LabRun run;
  std::vector<json> lines;
  std::string pcap;
  std::string keys;
};

// The first packet of the capture with TCP payload, from the client: its index (1-based) and its payload's bytes.
struct FirstData {
  int index = 0;
  std::uint32_t len = 0;
  std::vector<std::uint8_t> payload;
};
FirstData first_client_data(const std::string& pcap) {
  FirstData out;
  lab::pcap::FileReader reader(pcap);
  lab::decode::Frame frame;
  for (int index = 1; reader.next(frame); ++index) {
    const lab::decode::DecodedPacket p = lab::decode::decode_packet(frame);
    if (p.payload_len == 0 || !p.tcp || p.tcp->dst_port != 8443) continue;
    out.index = index;
    out.len = p.payload_len;
    out.payload.assign(p.payload.begin(), p.payload.end());
    break;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string tshark_fields(const std::string& pcap, const std::vector<std::string>& more) {
  std::vector<std::string> argv{tshark_path, "-r", pcap};
  argv.insert(argv.end(), more.begin(), more.end());
  const auto run = run_program(argv, 30000);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return run.out;
}

// The checks both versions share: exit 0, one connection, the JSON's tls object, the client's first data segment a
// TLS handshake record, the key log (mode 0600), and tshark's view: the ClientHello with SNI and ALPN, and, with the
// keys, GET answered by 200.
void check_https(const HttpsRun& h, const std::string& version) {
  const json& summary = h.lines.back();
  REQUIRE(summary["type"] == "summary");
  REQUIRE(summary["conversations"].size() == 1);
  CHECK(summary["conversations"][0]["server"].get<std::string>().ends_with(":8443"));
  REQUIRE(summary["tls"].is_object());
  CHECK(summary["tls"]["version"] == version);
  CHECK(summary["tls"]["alpn"] == "http/1.1");
  CHECK(summary["tls"]["certificate_verified"] == false);
  CHECK(summary["tls"]["peer_close_notify"] == true);
  CHECK(summary["tls"]["keylog"] == h.keys);

  const FirstData first = first_client_data(h.pcap);
  REQUIRE(first.index > 0);
  REQUIRE(first.payload.size() >= 6);
  CHECK(first.payload[0] == 0x16);  // TLS record content type 22: handshake
  CHECK(first.payload[5] == 0x01);  // handshake type 1: ClientHello
  // The record's declared length covers the rest of the segment: one ClientHello, whole.
  CHECK(5u + ((first.payload[3] << 8) | first.payload[4]) == first.len);
  // The JSON's packet of that index is the same segment, with the same length.
  for (const auto& l : h.lines) {
    if (l["type"] == "packet" && l["index"] == first.index) {
      CHECK(l["len"] == first.len);
      CHECK(l["from"] == "client");
    }
  }
  // The application's events: the handshake's start and end in their details, and the request's plaintext with the
  // size of the record TLS made of it, which is the length of the client's next data segment.
  std::size_t record = 0;
  for (const auto& l : h.lines) {
    if (l["type"] != "app" || l["actor"] != "client") continue;
    if (l["event"] == "connected") CHECK(l["detail"].get<std::string>().starts_with("TLS handshake starts"));
    if (l["event"] != "send" || record != 0) continue;
    const std::string detail = l["detail"];
    INFO(detail);
    CHECK(detail.starts_with("TLS handshake done"));
    CHECK(detail.find("not verified") != std::string::npos);
    CHECK(l["data"].get<std::string>().starts_with("GET /ping HTTP/1.1"));
    const std::string marker = "sent by TLS as ";
    const std::size_t at = detail.find(marker);
    REQUIRE(at != std::string::npos);
    record = std::stoul(detail.substr(at + marker.size()));
    bool found = false;
    for (const auto& p : h.lines) {
      if (p["type"] == "packet" && p["from"] == "client" && p["time"] > l["time"] && p["len"].get<int>() > 0) {
        CHECK(p["len"] == record);
        found = true;
        break;
      }
    }
    CHECK(found);
  }
  CHECK(record > 0);
  for (const auto& l : h.lines) {
    if (l["type"] == "app" && l["actor"] == "server" && l["event"] == "accept")
      CHECK(l["detail"].get<std::string>().starts_with("TLS handshake starts"));
  }

  struct stat st {};
  REQUIRE(::stat(h.keys.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  if (access(tshark_path, X_OK) != 0) LAB_SKIP("tshark not installed: its reading of the capture is not checked");
  const auto hello = lines_of(tshark_fields(h.pcap, {"-Y", "tls.handshake.type == 1", "-T", "fields", "-e",
                                                     "frame.number", "-e", "tls.handshake.extensions_server_name",
                                                     "-e", "tls.handshake.extensions_alpn_str"}));
  CHECK(hello == std::vector<std::string>{std::to_string(first.index) + "\tlocalhost\thttp/1.1"});
  // The oracle: tshark decrypts the capture with the key log and finds the request and its answer.
  const auto http = lines_of(tshark_fields(h.pcap, {"-o", "tls.keylog_file:" + h.keys, "-Y", "http", "-T", "fields",
                                                    "-e", "http.request.method", "-e", "http.response.code"}));
  CHECK(http == std::vector<std::string>{"GET\t", "\t200"});
  // Without the keys it sees no HTTP at all: only encrypted records.
  CHECK(tshark_fields(h.pcap, {"-Y", "http"}).empty());
}

HttpsRun run_https(const lab::test::TempDir& dir, std::vector<std::string> extra) {
  HttpsRun h;
  h.pcap = dir.path() + "/https.pcap";
  h.keys = dir.path() + "/keys.txt";
  std::vector<std::string> args{"https-ping", "--format", "json", "--write", h.pcap, "--keylog", h.keys};
  args.insert(args.end(), extra.begin(), extra.end());
  h.run = run_lab(args);
  if (h.run.exit_code == 0) h.lines = json_lines(h.run.out);
  return h;
}

}  // namespace

TEST_CASE("https-ping: TLS 1.3, a ClientHello in the first data segment, and tshark decrypts GET and 200 with --keylog") {
  lab::test::TempDir dir;
  const HttpsRun h = run_https(dir, {});
  if (h.run.exit_code == 3 && h.run.err.find("namespace") != std::string::npos)
    LAB_SKIP("this machine forbids unprivileged user namespaces: " << h.run.err);
  INFO(h.run.err);
  REQUIRE(h.run.exit_code == 0);
  check_https(h, "TLSv1.3");
}

TEST_CASE("https-ping --tls 1.2: versions 0x0303 in tshark's handshake and records, ServerHello's cipher suite") {
  lab::test::TempDir dir;
  const HttpsRun h = run_https(dir, {"--tls", "1.2"});
  if (h.run.exit_code == 3 && h.run.err.find("namespace") != std::string::npos)
    LAB_SKIP("this machine forbids unprivileged user namespaces: " << h.run.err);
  INFO(h.run.err);
  REQUIRE(h.run.exit_code == 0);
  check_https(h, "TLSv1.2");
  // check_https skipped its tshark part (and returned) when tshark is absent: so does this one.
  if (access(tshark_path, X_OK) != 0) return;
  const auto server_hello =
      lines_of(tshark_fields(h.pcap, {"-Y", "tls.handshake.type == 2", "-T", "fields", "-e", "tls.handshake.version",
                                      "-e", "tls.handshake.ciphersuite"}));
  REQUIRE(server_hello.size() == 1);
  const std::string cipher = h.lines.back()["tls"]["cipher"];
  CHECK(server_hello[0].starts_with("0x0303\t0x"));  // TLS 1.2 in the ServerHello, and a cipher suite chosen
  CHECK(cipher.starts_with("TLS_ECDHE_ECDSA_WITH_"));  // the throw-away certificate's key is EC
  // Every record the client sent says 0x0303 (only the ClientHello's may say 0x0301, as RFC 8446 §5.1 allows).
  const auto records = lines_of(tshark_fields(
      h.pcap, {"-Y", "tls && tcp.dstport == 8443 && !(tls.handshake.type == 1)", "-T", "fields", "-e", "tls.record.version"}));
  REQUIRE_FALSE(records.empty());
  for (const std::string& r : records) {
    INFO(r);
    CHECK(r.find_first_not_of("0x303,") == std::string::npos);
  }
}

TEST_CASE("https-ping: a key log that cannot be opened, and a bad --tls, are one line each, never a lab") {
  const auto keylog = run_lab({"https-ping", "--keylog", "/nonexistent-directory/keys.txt"});
  CHECK(keylog.exit_code == 3);
  CHECK(keylog.out.empty());
  CHECK(std::count(keylog.err.begin(), keylog.err.end(), '\n') == 1);
  CHECK(keylog.err.find("/nonexistent-directory/keys.txt") != std::string::npos);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"https-ping", "--tls", "1.1"},
                                              std::vector<std::string>{"https-ping", "--message", "x"},
                                              std::vector<std::string>{"https-ping", "--requests", "0"}}) {
    const auto run = run_lab(args);
    INFO(args[1]);
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  }
}
