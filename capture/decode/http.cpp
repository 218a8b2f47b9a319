#include "capture/decode/http.hpp"

#include <limits>

namespace lab::decode {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_word(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// RFC 9110, section 5.6.2: the characters of a token (a method, a field name, a transfer coding).
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~"))
    if (c == t) return true;
  return false;
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(c)) return false;
  return true;
}

std::string_view trim(std::string_view s) {  // OWS: spaces and tabs
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "HTTP/1.x": the minor version x (one digit, as the grammar has it), or -1.
int http1_version(std::string_view s) {
  if (s.size() != 8 || s.substr(0, 7) != "HTTP/1." || s[7] < '0' || s[7] > '9') return -1;
  return s[7] - '0';
}

// Could these first bytes begin a request line or a status line? `whole_line`: they are the whole first line.
bool could_be_http(std::string_view start, bool whole_line) {
  constexpr std::string_view version = "HTTP/";
  if (start.size() <= version.size()) {
    if (version.substr(0, start.size()) == start) return true;
  } else if (start.substr(0, version.size()) == version) {
    return true;
  }
  // A method: a short token, then a space. (The longest registered method names are under 20 characters.)
  constexpr std::size_t longest_method = 20;
  for (std::size_t i = 0; i < start.size() && i <= longest_method; ++i) {
    if (start[i] == ' ') return i > 0;
    if (!is_tchar(start[i])) return false;
  }
  return !whole_line && start.size() <= longest_method;
}

// One line of the head, without its end: CRLF, or a bare LF, which a recipient may accept (section 2.2).
struct Line {
  std::string_view text;
  std::size_t next = 0;  // where the following line starts
};

std::optional<Line> next_line(std::string_view bytes, std::size_t from) {
  const std::size_t lf = bytes.find('\n', from);
  if (lf == std::string_view::npos) return std::nullopt;
  std::string_view text = bytes.substr(from, lf - from);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return Line{text, lf + 1};
}

// Content-Length: digits, or a list of the same number ("5, 5", which section 6.3 lets a recipient accept).
std::optional<std::uint64_t> content_length_value(std::string_view value) {
  std::optional<std::uint64_t> result;
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view item = trim(value.substr(0, comma));
    if (item.empty()) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : item) {
      if (c < '0' || c > '9') return std::nullopt;
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return std::nullopt;
      n = n * 10 + digit;
    }
    if (result && *result != n) return std::nullopt;
    result = n;
    if (comma == std::string_view::npos) return result;
    value.remove_prefix(comma + 1);
  }
}

// The last coding of a Transfer-Encoding list ("gzip, chunked" ends with chunked); empty elements do not count
// (RFC 9110, section 5.6.1: "chunked," is chunked).
std::string_view last_coding(std::string_view value) {
  while (true) {
    const std::size_t comma = value.rfind(',');
    const std::string_view last = trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
    if (!last.empty() || comma == std::string_view::npos) return last;
    value = value.substr(0, comma);
  }
}

HttpHeadStatus malformed(HttpHead& out, std::string_view why) {
  out.error = why;
  return HttpHeadStatus::malformed;
}

bool parse_request_line(std::string_view line, HttpHead& out) {
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return false;
  out.is_request = true;
  out.method = line.substr(0, sp1);
  out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const int minor = http1_version(line.substr(sp2 + 1));
  if (!is_token(out.method) || out.target.empty() || minor < 0) return false;
  for (char c : out.target)
    if (c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x21 || c == 0x7f) return false;
  out.version_minor = minor;
  return true;
}

bool parse_status_line(std::string_view line, HttpHead& out) {
  // HTTP-version SP 3DIGIT SP reason; the space before an empty reason is often left out, and accepted here.
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) return false;
  const int minor = http1_version(line.substr(0, 8));
  if (minor < 0) return false;
  int status = 0;
  for (char c : line.substr(9, 3)) {
    if (c < '0' || c > '9') return false;
    status = status * 10 + (c - '0');
  }
  if (status < 100 || status > 599) return false;
  out.is_request = false;
  out.version_minor = minor;
  out.status = status;
  out.reason = line.size() > 13 ? line.substr(13) : std::string_view();
  for (char c : out.reason)  // HTAB, SP, visible characters and obs-text only: no CR, no other control
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return false;
  return true;
}

}  // namespace

const HttpField* HttpHead::field(std::string_view name) const {
  for (std::size_t i = 0; i < field_count; ++i)
    if (same_word(fields[i].name, name)) return &fields[i];
  return nullptr;
}

HttpHeadStatus parse_http_head(std::span<const std::uint8_t> raw, HttpHead& out, std::string_view request_method) {
  out = HttpHead{};
  // The bytes as characters, to compare with the protocol's words (a view, no copy).
  const std::string_view bytes(reinterpret_cast<const char*>(raw.data()), raw.size());

  // A recipient ignores at least one empty line before the start line (section 2.2).
  std::size_t pos = 0;
  for (int skipped = 0; skipped < 2; ++skipped) {
    if (bytes.substr(pos, 2) == "\r\n") pos += 2;
    else if (bytes.substr(pos, 1) == "\n") pos += 1;
    else break;
  }
  if (bytes.substr(pos) == "\r") return HttpHeadStatus::incomplete;  // an empty line cut after its CR
  const auto start = next_line(bytes, pos);
  if (!start) {
    if (!could_be_http(bytes.substr(pos), false)) return HttpHeadStatus::not_http;
    return bytes.size() >= http_max_head_bytes ? malformed(out, "a start line longer than 64 KiB")
                                               : HttpHeadStatus::incomplete;
  }
  const bool response = start->text.substr(0, 5) == "HTTP/";
  if (!could_be_http(start->text, true)) return HttpHeadStatus::not_http;
  if (response ? !parse_status_line(start->text, out) : !parse_request_line(start->text, out))
    return malformed(out, response ? "a status line that is not HTTP/1.x SP 3 digits SP reason"
                                   : "a request line that is not method SP target SP HTTP/1.x");
  out.start_line_valid = true;

  bool transfer_encoding = false, chunked = false, host_seen = false;
  std::optional<std::uint64_t> length;
  pos = start->next;
  while (true) {
    const auto line = next_line(bytes, pos);
    if (!line) {
      return bytes.size() >= http_max_head_bytes ? malformed(out, "a head longer than 64 KiB")
                                                 : HttpHeadStatus::incomplete;
    }
    pos = line->next;
    if (line->text.empty()) break;  // the empty line: the head ends here
    if (pos > http_max_head_bytes) return malformed(out, "a head longer than 64 KiB");
    const std::string_view text = line->text;
    if (text.front() == ' ' || text.front() == '\t') {
      if (out.fields_seen == 0) return malformed(out, "whitespace between the start line and the first field (section 2.2)");
      // A field continued on an indented line: a server must refuse it; a client replaces it with a space
      // (section 5.2), which a view cannot do, so a response's continuation is noted and not kept.
      if (out.is_request) return malformed(out, "obsolete line folding in a request (section 5.2)");
      out.obs_fold = true;
      continue;
    }
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) return malformed(out, "a field line without a colon");
    std::string_view name = text.substr(0, colon);
    // Whitespace before the colon: a server must refuse the request (section 5.1); in a response it is removed.
    if (!out.is_request) name = trim(name);
    if (!is_token(name)) return malformed(out, "a field name that is not a token (or a space before its colon)");
    const std::string_view value = trim(text.substr(colon + 1));
    for (char c : value)
      if (c == '\r' || c == '\0') return malformed(out, "a bare CR or a NUL in a field value");
    out.fields_seen += 1;
    if (out.field_count < HttpHead::max_fields) out.fields[out.field_count++] = {name, value};

    if (same_word(name, "content-length")) {
      const auto n = content_length_value(value);
      if (!n) return malformed(out, "a Content-Length that is not one number");
      if (length && *length != *n) return malformed(out, "two different Content-Lengths");
      length = n;
    } else if (same_word(name, "transfer-encoding")) {
      transfer_encoding = true;
      chunked = same_word(last_coding(value), "chunked");
    } else if (same_word(name, "connection")) {
      for (std::string_view rest = value; !rest.empty();) {
        const std::size_t comma = rest.find(',');
        const std::string_view option = trim(rest.substr(0, comma));
        if (same_word(option, "close")) out.connection_close = true;
        if (same_word(option, "keep-alive")) out.connection_keep_alive = true;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (same_word(name, "host")) {
      if (host_seen && out.is_request) return malformed(out, "a request with two Host fields (section 3.2)");
      if (!host_seen) out.host = value;
      host_seen = true;
    }
  }
  out.head_length = pos;
  out.both_lengths = transfer_encoding && length.has_value();
  if (out.is_request && out.version_minor >= 1 && !host_seen)
    return malformed(out, "an HTTP/1.1 request without Host (section 3.2)");
  if (transfer_encoding && out.version_minor == 0)  // its framing cannot be trusted (section 6.1)
    return malformed(out, "Transfer-Encoding in an HTTP/1.0 message (section 6.1)");

  if (length) out.content_length = *length;  // kept even where it does not frame a body (a HEAD's response)
  // Where the body ends (section 6.3, in its order).
  if (!out.is_request) {
    if (request_method == "HEAD" || out.status < 200 || out.status == 204 || out.status == 304) {
      out.body = HttpBodyLength::none;
    } else if (request_method == "CONNECT" && out.status < 300) {
      out.body = HttpBodyLength::tunnel;
    } else if (transfer_encoding) {
      out.body = chunked ? HttpBodyLength::chunked : HttpBodyLength::until_close;
    } else if (length) {
      out.body = HttpBodyLength::content_length;
      out.content_length = *length;
    } else {
      out.body = HttpBodyLength::until_close;
    }
  } else if (transfer_encoding) {
    if (!chunked) return malformed(out, "a request whose Transfer-Encoding does not end with chunked");
    out.body = HttpBodyLength::chunked;
  } else if (length) {
    out.body = HttpBodyLength::content_length;
    out.content_length = *length;
  } else {
    out.body = HttpBodyLength::none;
  }
  return HttpHeadStatus::complete;
}

}  // namespace lab::decode
