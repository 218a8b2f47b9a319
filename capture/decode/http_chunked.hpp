#pragma once
// The end of a chunked HTTP/1.1 body (RFC 9112, section 7.1): each chunk is its size in hex, CRLF, that many bytes
// and CRLF; a chunk of size 0, an optional trailer section and an empty line end the body. The chunks' own lines
// must end in CRLF (a bare LF there is malformed: it is how requests are smuggled past a lenient parser); the
// trailer's field lines may end in a bare LF, as the head's may (section 2.2). The bytes
// arrive as TCP delivers them, in pieces cut anywhere, so this is a small state machine fed piece by piece: it
// keeps no bytes, only where it is.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lab::decode {

class ChunkedBody {
 public:
  enum class Status : std::uint8_t { more, done, malformed };
  struct Step {
    Status status = Status::more;
    std::size_t used = 0;  // bytes of this piece that belong to the body; after `done`, the rest is the next message
  };

  // Reads the next piece of the body. After done or malformed it reads nothing more.
  Step feed(std::span<const std::uint8_t> bytes);

  std::uint64_t data_bytes() const { return data_bytes_; }  // the chunks' data, without sizes and line ends
  std::uint64_t chunks() const { return chunks_; }          // with data (the last, empty one not counted)
  std::string_view error() const { return error_; }         // malformed: which rule (a constant)

 private:
  enum class State : std::uint8_t {
    size,           // hex digits of a chunk's size
    size_space,     // spaces or tabs after it, which only a ';' may follow (BWS before an extension)
    extension,      // ";name=value" after the size, ignored (section 7.1.1)
    size_end,       // the LF after the size line's CR
    data,           // the chunk's bytes
    data_cr,        // the line end after them
    data_lf,
    trailer_start,  // after the last chunk: an empty line ends the body, anything else is a trailer field line
    trailer,        // in a trailer field line
    final_lf,       // the LF of the empty line that ends the body
    done,
    malformed,
  };
  void size_line_ended();
  Step fail(std::size_t used, std::string_view why);

  State state_ = State::size;
  bool size_digits_ = false;    // a digit of the current size was read
  std::uint64_t remaining_ = 0; // data bytes of the current chunk still to come (or the size being read)
  std::uint64_t data_bytes_ = 0;
  std::uint64_t chunks_ = 0;
  std::size_t line_bytes_ = 0;  // of the size or trailer line being read, to bound it
  std::string_view error_;
};

}  // namespace lab::decode
