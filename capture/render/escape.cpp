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

// The code point of a valid UTF-8 character of `length` bytes.
std::uint32_t code_point(std::span<const std::uint8_t> bytes, std::size_t length) {
  if (length == 1) return bytes[0];
  std::uint32_t value = bytes[0] & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) value = (value << 6) | (bytes[i] & 0x3F);
  return value;
}

// Characters that draw nothing, or could rearrange what a terminal shows around them.
bool unsafe_on_a_terminal(std::uint32_t c) {
  return (c >= 0x80 && c <= 0x9F) || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 || c == 0xFEFF;
}

}  // namespace

std::size_t utf8_length(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return 0;
  const std::uint8_t lead = bytes[0];
  if (lead < 0x80) return 1;
  const std::size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || bytes.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((bytes[i] & 0xC0) != 0x80) return 0;
  const std::uint32_t c = code_point(bytes, length);
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not valid UTF-8.
  if ((length == 3 && c < 0x800) || (length == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  return length;
}

void append_escaped_bytes(std::string& out, std::span<const std::uint8_t> bytes, std::size_t max_bytes) {
  const std::size_t shown = bytes.size() < max_bytes ? bytes.size() : max_bytes;
  std::size_t run = 0;  // start of the current run of printable bytes, copied whole
  std::size_t i = 0;
  for (; i < shown; ++i) {
    const std::uint8_t b = bytes[i];
    if (b >= 0x20 && b < 0x7F && b != '\\' && b != '"') continue;
    if (b >= 0x80) {
      const std::size_t length = utf8_length(bytes.subspan(i));
      if (length > 0 && i + length > shown) break;  // never half a character: the cut comes before it
      if (length > 0 && !unsafe_on_a_terminal(code_point(bytes.subspan(i), length))) {
        i += length - 1;  // part of the run
        continue;
      }
    }
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
  out.append(reinterpret_cast<const char*>(bytes.data()) + run, i - run);
  if (i < bytes.size()) out += "…";
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
  const std::span<const std::uint8_t> all(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::uint8_t b = all[i];
    if (b == '"') out += "\\\"";
    else if (b == '\\') out += "\\\\";
    else if (b < 0x20 || b == 0x7F) append_hex_byte(out, "\\u00", b);
    else if (b < 0x80) out += static_cast<char>(b);
    else if (const std::size_t length = utf8_length(all.subspan(i)); length > 0) {
      out.append(bytes.data() + i, length);
      i += length - 1;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD, the replacement character: data_hex has the byte
    }
  }
}

void append_hex(std::string& out, std::string_view bytes) {
  for (char ch : bytes) {
    const auto b = static_cast<std::uint8_t>(ch);
    out += hex_digits[b >> 4];
    out += hex_digits[b & 0xF];
  }
}

}  // namespace lab::render
