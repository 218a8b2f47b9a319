#pragma once
// Bytes from the wire are untrusted: before they reach a terminal or a JSON string they are escaped, so a
// payload can never move the cursor, change colours or break a JSON line.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lab::render {

// Printable text as is: ASCII, and valid UTF-8 characters that draw something (a student's "héllo" or "日本" reads
// as text); \n \r \t \\ \" as C escapes; every other byte as \xHH: controls, invalid UTF-8, and the characters
// that could rearrange a terminal line (C1 controls, bidirectional overrides, line separators). At most `max_bytes`
// input bytes are shown, never half a character, then "…" and nothing more.
void append_escaped_bytes(std::string& out, std::span<const std::uint8_t> bytes, std::size_t max_bytes = 64);
void append_escaped_bytes(std::string& out, std::string_view bytes, std::size_t max_bytes = 64);

// A JSON string body (without the quotes) for UTF-8 text we wrote ourselves: escapes ", \ and control bytes.
void append_json_text(std::string& out, std::string_view text);
// A JSON string body for raw bytes, as text: valid UTF-8 is kept as it is (JSON-escaped where JSON needs it), each
// invalid byte becomes U+FFFD. Lossy for bytes that are not text: append_hex gives them exactly.
void append_json_bytes(std::string& out, std::string_view bytes);
// The bytes as lowercase hex, two digits each: lossless.
void append_hex(std::string& out, std::string_view bytes);
// The length of the valid UTF-8 character at the start of `bytes` (1 to 4), or 0 if it does not start one.
std::size_t utf8_length(std::span<const std::uint8_t> bytes);

}  // namespace lab::render
