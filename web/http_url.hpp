#pragma once
// `http://host[:port][/path]`, as `lab client http URL` takes it (RFC 3986's authority and path, no user info).
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace lab::web {

struct HttpUrl {
  std::string host;        // a name or an address; an IPv6 literal without its brackets
  std::uint16_t port = 80;
  std::string target = "/";  // the path and query, "/" when the URL has none
  std::string host_field;    // what the Host field carries: the authority as written ("[::1]:8080")
};

// The URL, or one line saying what is wrong with it.
std::variant<HttpUrl, std::string> parse_http_url(std::string_view text);

}  // namespace lab::web
