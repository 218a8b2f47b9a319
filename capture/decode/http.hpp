#pragma once
// HTTP/1.x message heads (RFC 9112): the start line, the header fields, and how the end of the body is known.
//
// HTTP rides on TCP's byte stream, so a head may span several segments, or one segment may hold a head and part
// of a body: the caller hands over the stream's bytes from where a message starts, and is told whether a whole
// head is there yet. Everything returned is a view into those bytes (no copies). The bytes are untrusted: the
// rules RFC 9112 makes a recipient check on the start line, the fields and the framing are checked, and a
// message that breaks one is malformed, with the rule named.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace lab::decode {

enum class HttpHeadStatus : std::uint8_t {
  not_http,    // the first bytes are no request line or status line (TLS, another protocol)
  incomplete,  // HTTP so far, but the empty line that ends the head has not arrived yet
  complete,    // a whole head: every field of HttpHead is set
  malformed,   // HTTP, but it breaks a rule RFC 9112 makes a recipient check: HttpHead::error says which
};

// How the receiver knows where the body ends (RFC 9112, section 6.3).
enum class HttpBodyLength : std::uint8_t {
  none,            // no body: a request with neither field, a response to HEAD, a 1xx, 204 or 304
  content_length,  // exactly HttpHead::content_length bytes
  chunked,         // Transfer-Encoding: chunked; the last chunk has size 0
  until_close,     // a response without either field, or whose last coding is not chunked: the body ends when
                   // the server closes the connection
  tunnel,          // a 2xx answer to CONNECT: from here on the bytes are no longer HTTP
};

struct HttpField {
  std::string_view name;   // as sent (field names are case-insensitive)
  std::string_view value;  // without the whitespace around it
};

struct HttpHead {
  static constexpr std::size_t max_fields = 32;  // kept for display; every field is still read for its meaning

  bool is_request = false;
  std::string_view method;  // request: "GET", ...
  std::string_view target;  // request: "/ping", ...
  int status = 0;           // response: 200, ...
  std::string_view reason;  // response: "OK" (may be empty)
  int version_minor = 1;    // HTTP/1.0, HTTP/1.1 (a higher 1.x is read as 1.1, RFC 9110 section 2.5)
  bool start_line_valid = false;  // the start line is whole and well formed (also when the rest is incomplete or
                                  // breaks a rule): the bytes are HTTP, not another protocol that looks alike

  std::array<HttpField, max_fields> fields{};
  std::size_t field_count = 0;  // the fields kept, at most max_fields
  std::size_t fields_seen = 0;  // every field line of the head
  std::size_t head_length = 0;  // bytes of the head, up to and including the empty line

  HttpBodyLength body = HttpBodyLength::none;
  std::uint64_t content_length = 0;  // the Content-Length field's value (the body's length when body == content_length)
  bool both_lengths = false;         // Transfer-Encoding and Content-Length both sent: Transfer-Encoding wins
                                     // (section 6.3), and a server must close after answering (section 6.1)
  bool obs_fold = false;             // a response's field continued on an indented line (section 5.2); not kept
  bool connection_close = false;     // "Connection: close"
  bool connection_keep_alive = false;  // "Connection: keep-alive" (what an HTTP/1.0 peer asks to stay open)
  std::string_view host;             // the Host field, if any

  std::string_view error;  // malformed: which rule, in a few words (a constant, not a view into the bytes)

  // Whether the connection stays open after this message (section 9.3): HTTP/1.1 unless "close", HTTP/1.0 only
  // with "keep-alive"; never when the body ends at the close, becomes a tunnel, or both lengths were sent.
  bool persistent() const {
    if (connection_close || body == HttpBodyLength::until_close || body == HttpBodyLength::tunnel) return false;
    if (both_lengths) return false;
    return version_minor >= 1 || connection_keep_alive;
  }
  // The first field of this name, compared without case; null if there is none among the kept ones.
  const HttpField* field(std::string_view name) const;
};

// Reads the head at the start of `bytes`. `request_method` is, for a response, the method of the request it
// answers (a response to HEAD has no body, a 2xx to CONNECT starts a tunnel; methods are case-sensitive); empty
// when not known.
HttpHeadStatus parse_http_head(std::span<const std::uint8_t> bytes, HttpHead& out, std::string_view request_method = {});

// The longest head this parser waits for; a longer one is malformed (servers refuse them too, with 431).
inline constexpr std::size_t http_max_head_bytes = 64 * 1024;

}  // namespace lab::decode
