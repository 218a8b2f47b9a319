#pragma once
// Bytes from the wire are untrusted: before they reach a terminal or a JSON string they are escaped, so a
// payload can never move the cursor, change colours or break a JSON line.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lab::render {

// Printable ASCII as is; \n \r \t \\ \" as C escapes; every other byte as \xHH. At most `max_bytes` input
// bytes are shown, then "…" and nothing more.
void append_escaped_bytes(std::string& out, std::span<const std::uint8_t> bytes, std::size_t max_bytes = 64);
void append_escaped_bytes(std::string& out, std::string_view bytes, std::size_t max_bytes = 64);

// A JSON string body (without the quotes) for UTF-8 text we wrote ourselves: escapes ", \ and control bytes.
void append_json_text(std::string& out, std::string_view text);
// A JSON string body for raw bytes, lossless: each byte becomes the code point of the same value
// (U+0000..U+00FF), so every payload yields valid JSON and can be turned back into the exact bytes.
void append_json_bytes(std::string& out, std::string_view bytes);

}  // namespace lab::render
