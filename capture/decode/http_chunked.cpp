#include "capture/decode/http_chunked.hpp"

#include <algorithm>
#include <limits>

namespace lab::decode {

namespace {

constexpr std::size_t longest_line = 4096;  // a size line with its extensions, or a trailer field line

int hex_value(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ChunkedBody::Step ChunkedBody::fail(std::size_t used, std::string_view why) {
  state_ = State::malformed;
  error_ = why;
  return {Status::malformed, used};
}

void ChunkedBody::size_line_ended() {
  line_bytes_ = 0;
  if (remaining_ == 0) {
    state_ = State::trailer_start;  // the last chunk
  } else {
    chunks_ += 1;
    state_ = State::data;
  }
}

ChunkedBody::Step ChunkedBody::feed(std::span<const std::uint8_t> bytes) {
  if (state_ == State::done) return {Status::done, 0};
  if (state_ == State::malformed) return {Status::malformed, 0};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::uint8_t c = bytes[i];
    switch (state_) {
      case State::size: {
        if (++line_bytes_ > longest_line) return fail(i, "a chunk size line longer than 4 KiB");
        const int digit = hex_value(c);
        if (digit >= 0) {
          if (remaining_ > (std::numeric_limits<std::uint64_t>::max() >> 4)) return fail(i, "a chunk size too large");
          remaining_ = remaining_ * 16 + static_cast<std::uint64_t>(digit);
          size_digits_ = true;
        } else if (!size_digits_) {
          return fail(i, "a chunk that does not start with its size in hexadecimal");
        } else if (c == ';') {
          state_ = State::extension;
        } else if (c == ' ' || c == '\t') {
          state_ = State::size_space;
        } else if (c == '\r') {
          state_ = State::size_end;
        } else if (c == '\n') {
          return fail(i, "a chunk size line ended by a bare LF, not CRLF");
        } else {
          return fail(i, "a chunk size that is not hexadecimal");
        }
        break;
      }
      case State::size_space:  // "3 4" is no size: only an extension may follow the spaces
        if (++line_bytes_ > longest_line) return fail(i, "a chunk size line longer than 4 KiB");
        if (c == ';') state_ = State::extension;
        else if (c != ' ' && c != '\t') return fail(i, "something other than an extension after a chunk size");
        break;
      case State::extension:
        if (++line_bytes_ > longest_line) return fail(i, "a chunk size line longer than 4 KiB");
        if (c == '\r') state_ = State::size_end;
        else if (c == '\n') return fail(i, "a chunk size line ended by a bare LF, not CRLF");
        else if ((c < 0x20 && c != '\t') || c == 0x7f) return fail(i, "a control character in a chunk extension");
        break;
      case State::size_end:
        if (c != '\n') return fail(i, "a CR without its LF after a chunk size");
        size_line_ended();
        break;
      case State::data: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, bytes.size() - i));
        remaining_ -= n;
        data_bytes_ += n;
        i += n - 1;
        if (remaining_ == 0) state_ = State::data_cr;
        break;
      }
      case State::data_cr:
        if (c == '\r') state_ = State::data_lf;
        else if (c == '\n') return fail(i, "chunk data ended by a bare LF, not CRLF");
        else return fail(i, "chunk data longer than its size");
        break;
      case State::data_lf:
        if (c != '\n') return fail(i, "chunk data longer than its size");
        state_ = State::size;
        size_digits_ = false;
        break;
      case State::trailer_start:
        if (c == '\r') {
          state_ = State::final_lf;
        } else if (c == '\n') {
          state_ = State::done;
          return {Status::done, i + 1};
        } else {
          state_ = State::trailer;
          line_bytes_ = 1;
        }
        break;
      case State::trailer:
        if (++line_bytes_ > longest_line) return fail(i, "a trailer field line longer than 4 KiB");
        if (c == '\n') {
          state_ = State::trailer_start;
          line_bytes_ = 0;
        }
        break;
      case State::final_lf:
        if (c != '\n') return fail(i, "a CR without its LF at the end of a chunked body");
        state_ = State::done;
        return {Status::done, i + 1};
      case State::done:
      case State::malformed:
        break;  // not reached: both return before the loop
    }
  }
  return {Status::more, bytes.size()};
}

}  // namespace lab::decode
