// HTTP/1.x heads (RFC 9112) on crafted bytes: curl's request and a server's answer read field by field, every
// way a body's end is known (section 6.3), a head cut at every byte, and each rule a recipient must check.
#include "capture/decode/http.hpp"

#include <string>
#include <string_view>

#include "tests/support/catch.hpp"

using namespace lab::decode;

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

HttpHeadStatus parse(std::string_view s, HttpHead& head, std::string_view method = {}) {
  return parse_http_head(bytes_of(s), head, method);
}

// What curl 7.88 sends for `curl http://localhost:8080/ping`.
const std::string curl_request =
    "GET /ping HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

const std::string ping_response =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"ping\":\"pong\"}";

}  // namespace

TEST_CASE("http: curl's GET /ping, read field by field") {
  HttpHead head;
  REQUIRE(parse(curl_request, head) == HttpHeadStatus::complete);
  CHECK(head.is_request);
  CHECK(head.method == "GET");
  CHECK(head.target == "/ping");
  CHECK(head.version_minor == 1);
  CHECK(head.host == "localhost:8080");
  CHECK(head.field_count == 3);
  CHECK(head.fields_seen == 3);
  CHECK(head.fields[1].name == "User-Agent");
  CHECK(head.fields[1].value == "curl/7.88.1");
  REQUIRE(head.field("user-agent") != nullptr);  // names compare without case
  CHECK(head.field("USER-AGENT")->value == "curl/7.88.1");
  CHECK(head.field("Cookie") == nullptr);
  CHECK(head.head_length == curl_request.size());
  CHECK(head.body == HttpBodyLength::none);  // a request with neither length field has no body
  CHECK(head.persistent());                  // HTTP/1.1 without "Connection: close"
}

TEST_CASE("http: the answer, with its body's length and the body's first byte just after the head") {
  HttpHead head;
  REQUIRE(parse(ping_response, head, "GET") == HttpHeadStatus::complete);
  CHECK_FALSE(head.is_request);
  CHECK(head.status == 200);
  CHECK(head.reason == "OK");
  CHECK(head.body == HttpBodyLength::content_length);
  CHECK(head.content_length == 15);
  CHECK(ping_response.substr(head.head_length) == "{\"ping\":\"pong\"}");
}

TEST_CASE("http: a head cut at every byte is incomplete, never complete or malformed") {
  const std::string after_empty_line = "\r\n" + curl_request;  // an empty line before the start line is skipped
  for (const std::string* message : {&curl_request, &ping_response, &after_empty_line}) {
    const std::size_t head_end = message->find("\r\n\r\n") + 4;
    for (std::size_t n = 0; n < head_end; ++n) {
      HttpHead head;
      INFO(n << " bytes of " << *message);
      CHECK(parse(std::string_view(*message).substr(0, n), head) == HttpHeadStatus::incomplete);
    }
  }
}

TEST_CASE("http: where the body ends, in section 6.3's order") {
  HttpHead head;
  SECTION("chunked, the last coding of Transfer-Encoding") {
    REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", head) == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::chunked);
  }
  SECTION("Transfer-Encoding wins over Content-Length, and the pair is flagged (a smuggling sign)") {
    REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", head) ==
            HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::chunked);
    CHECK(head.both_lengths);
    CHECK_FALSE(head.persistent());  // section 6.1: the connection is closed after it
  }
  SECTION("a response with neither field ends when the server closes, so the connection cannot persist") {
    REQUIRE(parse("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n", head) == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::until_close);
    CHECK_FALSE(head.persistent());
    REQUIRE(parse("HTTP/1.1 200\r\n\r\n", head) == HttpHeadStatus::complete);  // no reason, no space before it
    CHECK(head.reason.empty());
    CHECK(head.body == HttpBodyLength::until_close);
    CHECK_FALSE(head.persistent());  // HTTP/1.1, but section 9.3 needs a self-defined length
  }
  SECTION("a response whose coding is not chunked also ends at the close") {
    REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", head) == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::until_close);
  }
  SECTION("no body: an answer to HEAD, whatever its Content-Length or Transfer-Encoding says") {
    REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n", head, "HEAD") == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::none);
    REQUIRE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", head, "HEAD") == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::none);
    // Methods are case-sensitive (RFC 9110, section 9.1): "head" is no HEAD.
    REQUIRE(parse("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n", head, "head") == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::content_length);
  }
  SECTION("no body: 1xx, 204 and 304") {
    for (const char* line : {"HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\nContent-Length: 4\r\n\r\n",
                             "HTTP/1.1 304 Not Modified\r\n\r\n"}) {
      INFO(line);
      REQUIRE(parse(line, head) == HttpHeadStatus::complete);
      CHECK(head.body == HttpBodyLength::none);
    }
  }
  SECTION("a 2xx to CONNECT starts a tunnel; a refusal has a body like any response") {
    REQUIRE(parse("HTTP/1.1 200 Connection established\r\n\r\n", head, "CONNECT") == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::tunnel);
    CHECK_FALSE(head.persistent());
    REQUIRE(parse("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\n", head, "CONNECT") ==
            HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::content_length);
  }
  SECTION("an empty list element does not hide chunked; a higher 1.x reads as 1.1") {
    REQUIRE(parse("HTTP/1.2 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n", head) == HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::chunked);
    CHECK(head.version_minor == 2);
    CHECK(head.persistent());
  }
  SECTION("a response may fold a field or put a space before a colon: noted, trimmed, not refused") {
    REQUIRE(parse("HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length : 2\r\n\r\n", head) ==
            HttpHeadStatus::complete);
    CHECK(head.obs_fold);
    CHECK(head.body == HttpBodyLength::content_length);
    CHECK(head.content_length == 2);
    CHECK(head.fields[1].name == "Content-Length");
  }
  SECTION("a request with a body") {
    REQUIRE(parse("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", head) ==
            HttpHeadStatus::complete);
    CHECK(head.body == HttpBodyLength::content_length);
    CHECK(head.content_length == 5);
  }
  SECTION("Connection: close, and an HTTP/1.0 keep-alive") {
    REQUIRE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, close\r\n\r\n", head) ==
            HttpHeadStatus::complete);
    CHECK(head.connection_close);
    CHECK_FALSE(head.persistent());
    REQUIRE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", head) == HttpHeadStatus::complete);
    CHECK(head.persistent());
  }
}

TEST_CASE("http: what a recipient must refuse is malformed, and says which rule") {
  const struct {
    const char* bytes;
    const char* rule;  // a word of HttpHead::error
  } cases[] = {
      {"GET /ping HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "two different"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", "not one number"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", "not one number"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", "not one number"},
      {"GET /ping HTTP/1.1\r\nHost : a\r\n\r\n", "not a token"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "folding in a request"},
      {"GET /ping HTTP/1.1\r\n Host: a\r\n\r\n", "between the start line and the first field"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n", "colon"},
      {"GET /ping HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "two Host"},
      {"GET /ping HTTP/1.1\r\nAccept: */*\r\n\r\n", "without Host"},
      {"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "does not end with chunked"},
      {"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0"},
      {"GET /ping\r\n\r\n", "request line"},  // HTTP/0.9's, with no version
      {"GET /ping HTTP/2.0\r\n\r\n", "request line"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "status line"},
      {"HTTP/1.1 099 Low\r\n\r\n", "status line"},
      {"HTTP/1.1 200 O\rK\r\n\r\n", "status line"},  // a bare CR in the reason phrase
      {"GET /ping HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", "bare CR"},
  };
  for (const auto& c : cases) {
    HttpHead head;
    INFO(c.bytes);
    CHECK(parse(c.bytes, head) == HttpHeadStatus::malformed);
    CHECK(std::string(head.error).find(c.rule) != std::string::npos);
  }
}

TEST_CASE("http: other protocols are not HTTP, and a head too long to wait for is malformed") {
  HttpHead head;
  const std::string tls_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);  // a TLS record's first bytes
  CHECK(parse(tls_hello, head) == HttpHeadStatus::not_http);
  CHECK(parse("SSH-2.0-OpenSSH_9.2\r\n", head) == HttpHeadStatus::not_http);
  CHECK(parse("Hello", head) == HttpHeadStatus::incomplete);  // a token so far: it could still be a method
  CHECK(parse("Hello?", head) == HttpHeadStatus::not_http);   // '?' is in no method
  CHECK(parse("Hello again\n", head) == HttpHeadStatus::malformed);  // a method and a target, but no version
  CHECK(parse("HelloWorld\n", head) == HttpHeadStatus::not_http);   // a whole line with no space
  CHECK(parse("AVERYLONGWORDTHATISNOMETHODATALL and more", head) == HttpHeadStatus::not_http);
  CHECK(parse("\r", head) == HttpHeadStatus::incomplete);  // the start of an empty line before a start line

  CHECK(parse("GET /" + std::string(http_max_head_bytes, 'a'), head) == HttpHeadStatus::malformed);
  CHECK(std::string(head.error).find("start line longer") != std::string::npos);

  std::string huge = "GET / HTTP/1.1\r\n";
  while (huge.size() < http_max_head_bytes) huge += "X-Filler: " + std::string(100, 'a') + "\r\n";
  CHECK(parse(huge, head) == HttpHeadStatus::malformed);
  CHECK(std::string(head.error).find("64 KiB") != std::string::npos);

  // Fields past the kept ones are still read for their meaning.
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i < HttpHead::max_fields + 5; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  many += "Content-Length: 2\r\n\r\nhi";
  REQUIRE(parse(many, head) == HttpHeadStatus::complete);
  CHECK(head.field_count == HttpHead::max_fields);
  CHECK(head.fields_seen == HttpHead::max_fields + 6);
  CHECK(head.content_length == 2);
}

TEST_CASE("http: empty lines before the start line are skipped, and a bare LF ends a line") {
  HttpHead head;
  REQUIRE(parse("\r\nGET /a HTTP/1.1\nHost: h\n\n", head) == HttpHeadStatus::complete);
  CHECK(head.target == "/a");
  CHECK(head.host == "h");
  CHECK(head.head_length == std::string_view("\r\nGET /a HTTP/1.1\nHost: h\n\n").size());
}
