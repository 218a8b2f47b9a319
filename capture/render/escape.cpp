#include "capture/render/escape.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  std::size_t run = 0;  // start of the current run of printable bytes, copied whole
  for (std::size_t i = 0; i < shown; ++i) {
    const std::uint8_t b = bytes[i];
    if (b >= 0x20 && b < 0x7F && b != '\\' && b != '"') continue;
    out.append(reinterpret_cast<const char*>(bytes.data()) + run, i - run);
    run = i + 1;
    switch (b) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      default: append_hex_byte(out, "\\x", b);  // ESC, other controls, and every non-ASCII byte
    }
  }
  out.append(reinterpret_cast<const char*>(bytes.data()) + run, shown - run);
  if (shown < bytes.size()) out += "…";
}

void append_escaped_bytes(std::string& out, std::string_view bytes, std::size_t max_bytes) {
  append_escaped_bytes(out, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), max_bytes);
}

namespace {

// The bytes JSON text needs escaped: control characters, DEL, the quote and the backslash.
bool json_special(std::uint8_t b) { return b < 0x20 || b == '"' || b == '\\' || b == 0x7F; }

// The first special byte at or after `from`. Notes are long and mostly plain, so where SSE2 is available
// sixteen bytes are checked at once.
std::size_t next_json_special(std::string_view text, std::size_t from) {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7F);
  const __m128i below_space = _mm_set1_epi8(0x1F);
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Bytes < 0x20: max(chunk, 0x1F) == 0x1F only for those (unsigned compare through max).
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(chunk, below_space), below_space);
    const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                      _mm_or_si128(_mm_cmpeq_epi8(chunk, del), control));
    if (const int mask = _mm_movemask_epi8(hits); mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(mask));
  }
#endif
  for (; i < text.size(); ++i)
    if (json_special(static_cast<std::uint8_t>(text[i]))) return i;
  return text.size();
}

}  // namespace

void append_json_text(std::string& out, std::string_view text) {
  // Most of a note needs no escaping: copy each run of plain bytes whole, escape the rest one by one.
  std::size_t run = 0;
  for (std::size_t i = next_json_special(text, 0); i < text.size(); i = next_json_special(text, run)) {
    out.append(text.data() + run, i - run);
    run = i + 1;
    const auto b = static_cast<std::uint8_t>(text[i]);
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
