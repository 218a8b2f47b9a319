// The HTTPS client against the HTTPS server, both on one io_context over 127.0.0.1 (port 0): the handshake in each
// version, GET /ping over it, the key log's lines, close_notify, and the record sizes the events state.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <system_error>

#include <asio/io_context.hpp>

#include "tests/support/catch.hpp"
#include "web/https_ping.hpp"
#include "web/tls_stream.hpp"

using namespace lab::web;
using lab::echo::Actor;
using lab::echo::EchoEvent;
using lab::echo::EventKind;

namespace {

struct HttpsRun {
  asio::io_context io;
  std::vector<EchoEvent> events;
  std::optional<HttpsClientResult> result;
  TlsFacts server_tls;

  void run(HttpsClientOptions options, std::shared_ptr<KeyLog> server_key_log = nullptr) {
    auto sink = [this](const EchoEvent& e) { events.push_back(e); };
    HttpsPingServer server(io, {.key_log = server_key_log}, sink);
    options.http.port = server.port();
    start_https_client(io, options, sink, [this](const HttpsClientResult& r) { result = r; });
    // Bounded: until the client is done and the server has closed every connection, or 10 s.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!(result && count(Actor::server, EventKind::close) >= static_cast<std::size_t>(result->http.connections)) &&
           std::chrono::steady_clock::now() < deadline) {
      if (io.run_one_until(deadline) == 0) break;
    }
    server_tls = server.last_tls();
  }
  std::size_t count(Actor actor, EventKind kind) const {
    std::size_t n = 0;
    for (const EchoEvent& e : events) n += e.actor == actor && e.kind == kind;
    return n;
  }
  const EchoEvent* first(Actor actor, EventKind kind) const {
    for (const EchoEvent& e : events)
      if (e.actor == actor && e.kind == kind) return &e;
    return nullptr;
  }
};

// A key log path of its own, removed by the destructor.
struct TempPath {
  std::string path;
  TempPath() {
    char name[] = "/tmp/lab-keylog-XXXXXX";
    const int fd = ::mkstemp(name);
    if (fd >= 0) ::close(fd);
    ::unlink(name);  // KeyLog creates it, so that its mode is the one checked
    path = name;
  }
  ~TempPath() { ::unlink(path.c_str()); }
};

// Each line's label and how many times it came; fails the test on a line that is not "LABEL <64 hex> <hex>".
std::map<std::string, int> key_log_labels(const std::string& path) {
  std::map<std::string, int> labels;
  std::ifstream in(path);
  const std::regex shape("([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]{64,128})");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, shape));
    ++labels[m[1]];
  }
  return labels;
}

std::uint64_t decrypted_from(const EchoEvent& recv) {
  std::smatch m;
  const std::regex words("decrypted from ([0-9]+) bytes");
  return std::regex_search(recv.detail, m, words) ? std::stoull(m[1]) : 0;
}

void check_ping(const HttpsRun& run, const std::string& version) {
  REQUIRE(run.result);
  INFO(run.result->http.error);
  CHECK(run.result->http.ok);
  REQUIRE(run.result->http.responses.size() == 1);
  CHECK(run.result->http.responses[0].status == 200);
  CHECK(run.result->http.responses[0].body_start == pong_body);
  CHECK(run.result->tls.version == version);  // SSL_get_version() on the client's end
  CHECK(run.server_tls.version == version);   // ... and on the server's
  CHECK(run.result->tls.alpn == "http/1.1");
  CHECK(run.server_tls.alpn == "http/1.1");
  CHECK_FALSE(run.result->certificate_verified);
  // Without keep-alive the server sends its close_notify first; the client's answers it. Both close their sockets.
  CHECK(run.result->peer_close_notify);
  CHECK(run.count(Actor::server, EventKind::accept) == 1);
  CHECK(run.count(Actor::client, EventKind::close) == 1);
  CHECK(run.count(Actor::server, EventKind::close) == 1);
  // The request's send event states what its record is; the server measured what it read for it.
  const EchoEvent* send = run.first(Actor::client, EventKind::send);
  const EchoEvent* recv = run.first(Actor::server, EventKind::recv);
  REQUIRE(send);
  REQUIRE(recv);
  CHECK(send->detail.find("TLS handshake done") != std::string::npos);
  CHECK(send->detail.find("not verified") != std::string::npos);
  CHECK(recv->bytes == send->bytes);  // plaintext, on both ends
  CHECK(decrypted_from(*recv) == tls_record_bytes(run.result->tls.version, run.result->tls.cipher, send->bytes));
}

}  // namespace

TEST_CASE("HTTPS: GET /ping over TLS 1.3, the key log has TLS 1.3's five secrets") {
  TempPath keys;
  HttpsRun run;
  run.run({.http = {.requests = 1}, .key_log = std::make_shared<KeyLog>(keys.path)});
  check_ping(run, "TLSv1.3");
  struct stat st {};
  REQUIRE(::stat(keys.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);  // it holds keys
  const auto labels = key_log_labels(keys.path);
  CHECK(labels == std::map<std::string, int>{{"CLIENT_HANDSHAKE_TRAFFIC_SECRET", 1},
                                             {"SERVER_HANDSHAKE_TRAFFIC_SECRET", 1},
                                             {"CLIENT_TRAFFIC_SECRET_0", 1},
                                             {"SERVER_TRAFFIC_SECRET_0", 1},
                                             {"EXPORTER_SECRET", 1}});
}

TEST_CASE("HTTPS: --tls 1.2, both ends say TLSv1.2, the key log has one CLIENT_RANDOM line") {
  TempPath keys;
  HttpsRun run;
  run.run({.http = {.requests = 1}, .version = TlsVersion::tls1_2, .key_log = std::make_shared<KeyLog>(keys.path)});
  check_ping(run, "TLSv1.2");
  CHECK(key_log_labels(keys.path) == std::map<std::string, int>{{"CLIENT_RANDOM", 1}});
}

TEST_CASE("HTTPS: keep-alive, two requests on one connection, both ends append to one key log") {
  TempPath keys;
  auto log = std::make_shared<KeyLog>(keys.path);
  HttpsRun run;
  run.run({.http = {.requests = 2, .keep_alive = true}, .version = TlsVersion::tls1_2, .key_log = log}, log);
  REQUIRE(run.result);
  CHECK(run.result->http.ok);
  CHECK(run.result->http.connections == 1);
  CHECK(run.result->http.responses.size() == 2);
  CHECK(run.result->peer_close_notify);  // the client's close_notify first, answered by the server's
  const EchoEvent* server_eof = run.first(Actor::server, EventKind::eof);
  REQUIRE(server_eof);
  CHECK(server_eof->detail == "the client's TLS close_notify came");
  CHECK(key_log_labels(keys.path) == std::map<std::string, int>{{"CLIENT_RANDOM", 2}});  // the same secret, twice
}

TEST_CASE("HTTPS: a key log that cannot be opened is a system_error naming the path") {
  try {
    KeyLog log("/nonexistent-directory/keys.txt");
    FAIL("opened");
  } catch (const std::system_error& e) {
    CHECK(std::string(e.what()).find("/nonexistent-directory/keys.txt") != std::string::npos);
  }
}

TEST_CASE("HTTPS: nobody listening is one line, not a hang") {
  asio::io_context io;
  std::optional<HttpsClientResult> result;
  // A port just closed: nothing listens on it.
  std::uint16_t port = 0;
  {
    HttpsPingServer server(io, {}, {});
    port = server.port();
  }
  start_https_client(io, {.http = {.port = port}}, {}, [&](const HttpsClientResult& r) { result = r; });
  io.run_for(std::chrono::seconds(5));
  REQUIRE(result);
  CHECK_FALSE(result->http.ok);
  CHECK(result->http.error.find("connection refused") != std::string::npos);
}

TEST_CASE("TLS record sizes: TLS 1.3 and 1.2's AEAD overheads, one record per 16 KiB") {
  CHECK(tls_record_bytes("TLSv1.3", "TLS_AES_256_GCM_SHA384", 80) == 80 + 22);
  CHECK(tls_record_bytes("TLSv1.3", "TLS_AES_128_CCM_8_SHA256", 80) == 80 + 14);
  CHECK(tls_record_bytes("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 80) == 80 + 29);
  CHECK(tls_record_bytes("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 80) == 80 + 21);
  CHECK(tls_record_bytes("TLSv1.3", "TLS_AES_128_GCM_SHA256", 16385) == 16385 + 2 * 22);
  CHECK(tls_record_bytes("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA", 80) == 0);  // CBC pads: not predicted
}
