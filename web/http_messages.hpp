#pragma once
// The bytes the web lab's programs write, and what the server answers to a request: pure functions, no sockets.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "capture/decode/http.hpp"

namespace lab::web {

// What the server answers, before it becomes bytes.
struct HttpAnswer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  bool head_only = false;  // a response to HEAD: the same fields (Content-Length included), no body (RFC 9110 §9.3.2)
  bool closes = false;     // "Connection: close": the server closes after it
  std::string allow;       // 405: the methods the resource has (RFC 9110 §15.5.6 requires the Allow field)
};

// The answer to a whole, well-formed request head: GET or HEAD of /ping is 200 with pong_body; another path 404;
// another method 405. Whether the connection stays open follows the request (RFC 9112 §9.3: HTTP/1.1 unless
// "Connection: close", HTTP/1.0 only with "keep-alive").
HttpAnswer answer_for(const lab::decode::HttpHead& request);

// The answer to what could not be read: 400 (malformed, RFC 9112's rules as lab_decode checks them), 431 (head
// too long), 413 (body too long): each closes the connection, because where the next request starts is then
// unknown.
HttpAnswer refusal(int status, std::string_view why);

// "OK", "Not Found", ... (RFC 9110 §15); "Unknown" for a code this server never sends.
const char* reason_phrase(int status);

// The status line, the fields and the body of `answer`, ready for the socket.
std::string response_bytes(const HttpAnswer& answer, std::string_view server_name);

// A GET request for `target` with Host, User-Agent and Accept; "Connection: close" when `closes`.
std::string get_request_bytes(std::string_view target, std::string_view host_field, std::string_view user_agent,
                              bool closes);

// The bytes of a string as the parser takes them.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace lab::web
