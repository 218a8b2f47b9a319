// Chunked bodies (RFC 9112, section 7.1) fed as TCP might deliver them: whole, byte by byte, cut at every place;
// extensions and trailers; where the next message starts; each malformed form named.
#include "capture/decode/http_chunked.hpp"

#include <string>
#include <string_view>

#include "tests/support/catch.hpp"

using lab::decode::ChunkedBody;

namespace {

std::span<const std::uint8_t> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Wikipedia's example body (its data: "Wikipedia in \r\nchunks."), then the start of a pipelined next response.
const std::string body = "4\r\nWiki\r\n7\r\npedia i\r\nB\r\nn \r\nchunks.\r\n0\r\n\r\n";
const std::string next = "HTTP/1.1 200 OK\r\n";

}  // namespace

TEST_CASE("chunked: a whole body, its data counted, and where the next message starts") {
  ChunkedBody reader;
  const std::string stream = body + next;
  const auto step = reader.feed(bytes_of(stream));
  CHECK(step.status == ChunkedBody::Status::done);
  CHECK(step.used == body.size());
  CHECK(reader.chunks() == 3);
  CHECK(reader.data_bytes() == 4 + 7 + 11);
  // Done: it reads nothing more.
  CHECK(reader.feed(bytes_of(next)).used == 0);
}

TEST_CASE("chunked: cut at every place into two pieces, or fed byte by byte, the same answer") {
  for (std::size_t cut = 0; cut <= body.size(); ++cut) {
    INFO("cut at " << cut);
    ChunkedBody reader;
    const auto first = reader.feed(bytes_of(std::string_view(body).substr(0, cut)));
    CHECK(first.status == (cut == body.size() ? ChunkedBody::Status::done : ChunkedBody::Status::more));
    CHECK(first.used == cut);
    if (cut < body.size()) {
      const auto second = reader.feed(bytes_of(std::string_view(body).substr(cut)));
      CHECK(second.status == ChunkedBody::Status::done);
      CHECK(second.used == body.size() - cut);
    }
    CHECK(reader.data_bytes() == 22);
  }
  ChunkedBody reader;
  std::size_t used = 0;
  ChunkedBody::Status last = ChunkedBody::Status::more;
  for (std::size_t i = 0; i < body.size(); ++i) {
    INFO("byte " << i);
    CHECK(last == ChunkedBody::Status::more);  // not done before the last byte
    const auto step = reader.feed(bytes_of(std::string_view(body).substr(i, 1)));
    used += step.used;
    last = step.status;
  }
  CHECK(last == ChunkedBody::Status::done);
  CHECK(used == body.size());
  CHECK(reader.chunks() == 3);
}

TEST_CASE("chunked: extensions, a trailer section, upper-case hex, and bare LFs in the trailer only") {
  ChunkedBody reader;
  const std::string with_extras = "1A;name=\"v\"\r\n" + std::string(26, 'x') + "\r\n0\r\nExpires: never\r\nX: y\r\n\r\n";
  const auto step = reader.feed(bytes_of(with_extras + "GET"));
  CHECK(step.status == ChunkedBody::Status::done);
  CHECK(step.used == with_extras.size());
  CHECK(reader.data_bytes() == 26);

  ChunkedBody spaced;  // BWS before an extension
  CHECK(spaced.feed(bytes_of("3 \t;ext\r\nabc\r\n0\r\n\r\n")).status == ChunkedBody::Status::done);
  CHECK(spaced.data_bytes() == 3);

  ChunkedBody trailer_lf;  // trailer field lines may end in a bare LF, as the head's may
  CHECK(trailer_lf.feed(bytes_of("3\r\nabc\r\n0\r\nX: y\n\n")).status == ChunkedBody::Status::done);
}

TEST_CASE("chunked: malformed bodies say which rule, and stop") {
  const struct {
    std::string bytes;
    const char* rule;
  } cases[] = {
      {"zz\r\n", "hexadecimal"},
      {"\r\n", "hexadecimal"},
      {"3\r\nabcd\r\n", "longer than its size"},
      {"3\rX", "CR without its LF"},
      {"FFFFFFFFFFFFFFFFF\r\n", "too large"},
      {"0\r\n\rX", "CR without its LF"},
      {"3x\r\n", "not hexadecimal"},
      {"3 4\r\nabc\r\n", "other than an extension"},  // a size a lenient reader would take as 3, another as 0x34
      {"3\nabc\r\n", "bare LF"},
      {"3\r\nabc\n", "bare LF"},
      {std::string("3;a\x01") + "b\r\n", "control character"},
      {std::string(5000, '0') + "\r\n", "4 KiB"},
  };
  for (const auto& c : cases) {
    INFO(c.bytes);
    ChunkedBody reader;
    const auto step = reader.feed(bytes_of(c.bytes));
    CHECK(step.status == ChunkedBody::Status::malformed);
    CHECK(std::string(reader.error()).find(c.rule) != std::string::npos);
    CHECK(reader.feed(bytes_of("0\r\n\r\n")).status == ChunkedBody::Status::malformed);
  }
  ChunkedBody endless;
  CHECK(endless.feed(bytes_of("1;" + std::string(5000, 'e'))).status == ChunkedBody::Status::malformed);
  CHECK(std::string(endless.error()).find("4 KiB") != std::string::npos);
  ChunkedBody long_trailer;
  CHECK(long_trailer.feed(bytes_of("0\r\nX: " + std::string(5000, 'v'))).status == ChunkedBody::Status::malformed);
  CHECK(std::string(long_trailer.error()).find("trailer") != std::string::npos);
}
