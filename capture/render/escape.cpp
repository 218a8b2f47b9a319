#include "capture/render/escape.hpp"

namespace lab::render {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex_byte(std::string& out, const char* prefix, std::uint8_t b) {
  out += prefix;
  out += hex_digits[b >> 4];
  out += hex_digits[b & 0xF];
}

}  // namespace

void append_escaped_bytes(std::string& out, std::span<const std::uint8_t> bytes, std::size_t max_bytes) {
  const std::size_t shown = bytes.size() < max_bytes ? bytes.size() : max_bytes;
  for (std::size_t i = 0; i < shown; ++i) {
    const std::uint8_t b = bytes[i];
    switch (b) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default:
        if (b >= 0x20 && b < 0x7F) out += static_cast<char>(b);
        else append_hex_byte(out, "\\x", b);  // ESC, other controls, and every non-ASCII byte
    }
  }
  if (shown < bytes.size()) out += "…";
}

void append_escaped_bytes(std::string& out, std::string_view bytes, std::size_t max_bytes) {
  append_escaped_bytes(out, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), max_bytes);
}

void append_json_text(std::string& out, std::string_view text) {
  // Most of a note needs no escaping: copy each run of plain bytes whole, escape the rest one by one.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(text[i]);
    if (b >= 0x20 && b != '"' && b != '\\' && b != 0x7F) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    if (b == '"') out += "\\\"";
    else if (b == '\\') out += "\\\\";
    else if (b == '\n') out += "\\n";
    else append_hex_byte(out, "\\u00", b);
  }
  out.append(text.data() + run, text.size() - run);
}

void append_json_bytes(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    const auto b = static_cast<std::uint8_t>(ch);
    if (ch == '"') out += "\\\"";
    else if (ch == '\\') out += "\\\\";
    else if (b < 0x20 || b >= 0x7F) append_hex_byte(out, "\\u00", b);
    else out += ch;
  }
}

}  // namespace lab::render
