#pragma once
// What the HTTP stream tracker (http_stream.hpp) concluded from one TCP segment: the message heads that became
// whole with it, the body bytes it carried and where a body ended, a copy of bytes already read, or why the
// tracker stopped following HTTP on that side. Plain values with text copied into fixed arrays: an observation
// outlives the segment (a delayed wire holds it), allocates nothing, and its text is raw bytes from the wire
// that whoever prints it escapes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "capture/decode/http.hpp"

namespace lab::flow {

// Up to N bytes of text, cut there (`cut` says so). Left uninitialised past its length: copying an observation
// costs only what it holds.
template <std::size_t N>
class FixedText {
 public:
  FixedText() {}  // user-provided, so that value-initialising an observation does not zero the characters
  void assign(std::string_view text) {
    length_ = text.size() < N ? static_cast<std::uint16_t>(text.size()) : static_cast<std::uint16_t>(N);
    cut_ = text.size() > N;
    for (std::size_t i = 0; i < length_; ++i) chars_[i] = text[i];
  }
  void append(std::string_view text) {
    for (char c : text) {
      if (length_ == N) {
        cut_ = true;
        return;
      }
      chars_[length_++] = c;
    }
  }
  std::string_view view() const { return {chars_, length_}; }
  bool empty() const { return length_ == 0; }
  bool cut() const { return cut_; }

 private:
  char chars_[N];
  std::uint16_t length_ = 0;
  bool cut_ = false;
};

// The start line and the fields that matter of one message head.
struct HttpMessageSeen {
  bool is_request = false;
  std::uint32_t number = 0;          // 1-based: the first, second... request (or response) of this connection
  FixedText<16> method;              // request
  FixedText<96> target;              // request
  int status = 0;                    // response
  FixedText<40> reason;              // response
  int version_minor = 1;
  FixedText<160> field_names;        // "Host, User-Agent, Accept" in the order sent
  std::uint32_t field_count = 0;     // every field line of the head
  FixedText<64> host;
  FixedText<48> content_type;
  FixedText<48> transfer_encoding;
  FixedText<32> connection;          // the Connection field's value, if any
  lab::decode::HttpBodyLength body = lab::decode::HttpBodyLength::none;
  std::uint64_t content_length = 0;  // body == content_length
  bool content_length_sent = false;  // the field was there (a HEAD's response may send one without a body)
  bool both_lengths = false;
  bool persistent = true;            // the connection stays open after this message (RFC 9112 section 9.3)
  std::uint32_t head_bytes = 0;
  std::uint32_t head_from_packet = 0;  // the packet its first byte came in (this one, or earlier: reassembled)
  std::uint16_t head_segments = 1;     // how many segments carried it
  bool body_ends_here = false;         // its body (none, or all of it) ended in this same segment
  // A response: the request it answers (0: not seen, e.g. the capture started later).
  std::uint32_t answers_packet = 0;
  FixedText<16> answers_method;
  FixedText<64> answers_target;
  bool interim = false;                // a 1xx: another response to the same request follows (101 excepted)
  // A request: sent while earlier requests on this connection were still unanswered (pipelining).
  std::uint32_t unanswered_before = 0;
};

// A body that ended in this segment.
struct HttpBodyEnd {
  std::uint32_t head_packet = 0;  // where its message's head became whole
  bool is_request = false;
  std::uint64_t bytes = 0;        // the body's bytes as they went on the wire (chunked: with sizes and line ends)
  std::uint64_t data_bytes = 0;   // chunked: the data alone; otherwise equal to bytes
  std::uint64_t chunks = 0;       // chunked: chunks with data
  lab::decode::HttpBodyLength how = lab::decode::HttpBodyLength::content_length;
  std::uint32_t segments = 1;     // how many segments carried the body
};

// Why the tracker stopped following HTTP on this side of the connection.
enum class HttpStop : std::uint8_t {
  none,
  gap,          // bytes a head or a chunked body needs are missing from the capture (a gap, or cut by the snap length)
  malformed,    // the bytes break a rule of RFC 9112 (error says which)
  tunnel,       // after a 2xx to CONNECT, or a 101 Switching Protocols: the bytes are no longer HTTP
};
const char* http_stop_name(HttpStop stop);  // "gap", "malformed", "tunnel"

// Why a message says the connection ends after it (RFC 9112, section 9.3 and 6.1), or that it does not.
enum class HttpEnding : std::uint8_t {
  stays_open,        // persistent
  connection_close,  // "Connection: close"
  http10,            // HTTP/1.0 without "Connection: keep-alive"
  both_lengths,      // Content-Length and Transfer-Encoding both sent
  until_close,       // a response whose body ends at the close
  tunnel,            // a tunnel or another protocol follows
};
const char* http_ending_name(HttpEnding ending);  // "stays-open", "connection-close", "http/1.0", ...
HttpEnding http_ending_of(const lab::decode::HttpHead& head);

// With a FIN: what the packets say about why its sender closes, from the HTTP it sent and received.
struct HttpClose {
  bool known = false;                // the connection carried HTTP that the tracker followed
  std::uint32_t requests = 0;        // requests the client sent on it
  std::uint32_t responses = 0;       // final responses the server sent on it
  std::uint32_t unanswered = 0;      // requests without a final response yet
  std::uint32_t last_message_packet = 0;  // the sender's own last message head
  bool own_close = false;            // the sender's own last message said it would not keep the connection
  HttpEnding own_ending = HttpEnding::stays_open;  // how it said so
  std::uint32_t asked_close_packet = 0;   // the other side's last message that said so (0: none did)
  HttpEnding asked_ending = HttpEnding::stays_open;
  bool body_until_close = false;     // the sender's FIN ends its own body (a response without a length)
  bool mid_message = false;          // the sender's own message was not complete (its head or body cut short)
  std::int64_t since_last_message_ns = 0;  // time since the last HTTP byte either side sent
  bool side_lost = false;            // lab stopped following a side earlier (a gap, malformed bytes): the counts
                                     // above miss what came after, and no reading of why is given
  bool peer_mid_message = false;     // the other side was inside a message of its own (a body still coming)
};

struct HttpObservation {
  bool carries = false;              // this segment carries HTTP bytes (or its FIN ends HTTP) of its sender
  std::uint8_t head_count = 0;       // heads that became whole here (at most heads.size() kept)
  std::uint8_t heads_not_kept = 0;   // more than that (a burst of pipelined requests)
  std::array<HttpMessageSeen, 2> heads{};
  std::uint8_t body_end_count = 0;
  std::array<HttpBodyEnd, 2> body_ends{};
  std::uint64_t body_bytes = 0;      // body bytes in this segment
  std::uint32_t body_of_packet = 0;  // whose body they belong to (the head's packet), when the segment ends inside one
  std::uint64_t body_so_far = 0;     // with body_of_packet: that body's bytes up to and including this segment
  std::uint64_t body_expected = 0;   // with body_of_packet and Content-Length: its length
  std::uint32_t head_in_progress_from = 0;  // the segment ends inside a head begun in this packet (0: none)
  std::uint32_t head_bytes_so_far = 0;
  bool copy = false;                 // every HTTP byte in it was sent before: a retransmission
  std::uint32_t copy_of_head = 0;    // a copy that repeats the start of the head that became whole in this packet
  HttpStop stopped = HttpStop::none; // the tracker stopped following HTTP at this segment
  std::string_view error;            // with malformed: the rule (a constant string, not from the wire)
  HttpClose close;                   // with a new FIN
};

}  // namespace lab::flow
