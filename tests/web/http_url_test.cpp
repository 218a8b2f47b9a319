// `lab client http URL`'s URLs.
#include "tests/support/catch.hpp"
#include "web/http_url.hpp"

using lab::web::HttpUrl;
using lab::web::parse_http_url;

namespace {

HttpUrl url_of(std::string_view text) {
  auto parsed = parse_http_url(text);
  INFO(text << ": " << (std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : ""));
  REQUIRE(std::holds_alternative<HttpUrl>(parsed));
  return std::get<HttpUrl>(parsed);
}

std::string error_of(std::string_view text) {
  auto parsed = parse_http_url(text);
  REQUIRE(std::holds_alternative<std::string>(parsed));
  return std::get<std::string>(parsed);
}

}  // namespace

TEST_CASE("URL: host, port and path") {
  const HttpUrl a = url_of("http://127.0.0.1:8080/ping");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 8080);
  CHECK(a.target == "/ping");
  CHECK(a.host_field == "127.0.0.1:8080");
  const HttpUrl b = url_of("http://example.org");
  CHECK(b.port == 80);
  CHECK(b.target == "/");
  const HttpUrl c = url_of("http://[::1]:8080/ping?x=1#top");
  CHECK(c.host == "::1");
  CHECK(c.port == 8080);
  CHECK(c.target == "/ping?x=1");
  CHECK(c.host_field == "[::1]:8080");
  CHECK(url_of("http://h?q").target == "/?q");
}

TEST_CASE("URL: what is refused, in one line") {
  CHECK(error_of("https://example.org/") == "lab client http speaks plain HTTP only: for HTTPS run `lab https-ping`");
  CHECK(error_of("ftp://x/").starts_with("not an http:// URL"));
  CHECK(error_of("127.0.0.1:8080").starts_with("not an http:// URL"));
  CHECK(error_of("http://:8080/").starts_with("a URL without a host"));
  CHECK(error_of("http://h:0/").starts_with("not a port"));
  CHECK(error_of("http://h:99999/").starts_with("not a port"));
  CHECK(error_of("http://h:80x/").starts_with("not a port"));
  CHECK(error_of("http://h:/").starts_with("not a port"));
  CHECK(error_of("http://[::1/").starts_with("an IPv6 address without"));
  CHECK(error_of("http://u@h/").starts_with("a URL with user info"));
}
