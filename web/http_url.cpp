#include "web/http_url.hpp"

#include <charconv>

namespace lab::web {

std::variant<HttpUrl, std::string> parse_http_url(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  if (text.starts_with("https://")) return std::string("lab client http speaks plain HTTP only: for HTTPS run `lab https-ping`");
  if (!text.starts_with("http://")) return "not an http:// URL: " + quoted + " (e.g. http://127.0.0.1:8080/ping)";
  std::string_view rest = text.substr(7);
  const std::size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  HttpUrl url;
  if (path_start != std::string_view::npos) {
    std::string_view target = rest.substr(path_start);
    target = target.substr(0, target.find('#'));  // a fragment stays with the client (RFC 9110 §7.1)
    url.target = target.starts_with('/') ? std::string(target) : "/" + std::string(target);
  }
  if (authority.find('@') != std::string_view::npos) return "a URL with user info is not taken here: " + quoted;
  url.host_field = std::string(authority);

  std::string_view port_text;
  if (authority.starts_with('[')) {  // an IPv6 literal: its colons are not the port's (RFC 3986 §3.2.2)
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return "an IPv6 address without its closing ']': " + quoted;
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return "something after the IPv6 address's ']': " + quoted;
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return "a URL without a host: " + quoted;
  if (!port_text.empty() || authority.ends_with(':')) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || error != std::errc{} || end != port_text.data() + port_text.size() || value < 1 ||
        value > 65535)
      return "not a port from 1 to 65535 in " + quoted;
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

}  // namespace lab::web
