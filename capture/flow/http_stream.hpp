#pragma once
// HTTP/1.x over one TCP connection, followed as the receivers read it: each side's bytes in sequence order, cut into
// messages by RFC 9112's rules (a head up to its empty line, then a body whose end Content-Length, chunked coding or
// the close gives), requests paired with their responses in order (HTTP/1.1 answers in the order asked, so a queue
// suffices, also for pipelining).
//
// Recognised by its bytes on any port (no guessing from port numbers): a side is HTTP once its first start line
// is whole and well formed; bytes that never form one are left alone, and nothing is said of them. Only the bytes a
// head or a chunked body needs are kept, and only until it is whole; a body of known length is skipped by
// counting, so a gap inside it (a segment the capture missed) costs nothing. A gap where a head or a chunk's framing
// must be read stops the following on that side, and says so: the capture cannot tell what was there.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/decode/http_chunked.hpp"
#include "capture/flow/http_observation.hpp"
#include "capture/flow/stream_segment.hpp"

namespace lab::flow {

class HttpConversation {
 public:
  HttpConversation();

  // Feeds one segment of `from` (0 client, 1 server) and says what it did in `out`.
  void observe(int from, const StreamSegment& segment, HttpObservation& out);
  // That side's first bytes were seen, before this was made, and were no HTTP: it is not followed.
  void rule_out(int side) { sides_[side].mode = Mode::stopped; }

 private:
  enum class Mode : std::uint8_t {
    start,        // where a message starts (or nothing yet)
    head,         // inside a head, its bytes kept in `head`
    body,         // inside a body of known length: `body_left` bytes to skip
    chunked,      // inside a chunked body
    until_close,  // the rest of the connection is the body
    stopped,      // not followed any more (stopped says why; not_http sides stop silently)
  };
  struct RecentHead {
    std::uint32_t seq = 0;
    std::uint32_t packet = 0;
  };
  struct Side {
    Mode mode = Mode::start;
    bool started = false;
    bool is_http = false;           // a start line has been well formed: the tracker may speak of this side
    std::uint32_t next = 0;         // sequence number of the next byte to read
    std::vector<std::uint8_t> head;  // the head so far (reserved once; bounded by http_max_head_bytes)
    std::uint32_t head_from_packet = 0;
    std::uint32_t head_start_seq = 0;
    std::uint16_t head_segments = 0;
    std::uint32_t last_segment_packet = 0;  // to count segments once
    // The body being read.
    std::uint32_t body_head_packet = 0;
    bool body_is_request = false;
    std::uint64_t body_left = 0;
    std::uint64_t body_total = 0;
    std::uint64_t body_length = 0;
    std::uint32_t body_segments = 0;
    lab::decode::ChunkedBody chunked;
    std::uint32_t messages = 0;     // heads made whole (final ones, for a server; interim 1xx counted apart)
    std::uint32_t last_message_packet = 0;
    bool last_persistent = true;
    HttpEnding last_ending = HttpEnding::stays_open;
    std::array<RecentHead, 4> recent{};  // the last heads' first bytes, to name what a retransmission repeats
    std::uint8_t recent_next = 0;
    bool lost = false;              // stopped by a gap or malformed bytes, not by its FIN
  };
  struct PendingRequest {
    std::uint32_t packet = 0;
    FixedText<16> method;
    FixedText<64> target;
  };

  void feed(int from, std::span<const std::uint8_t> bytes, const StreamSegment& segment, HttpObservation& out);
  bool read_head(int from, std::span<const std::uint8_t>& rest, const StreamSegment& segment, HttpObservation& out);
  void head_done(int from, const lab::decode::HttpHead& head, const StreamSegment& segment, HttpObservation& out);
  void body_done(int from, lab::decode::HttpBodyLength how, const StreamSegment& segment, HttpObservation& out);
  void on_fin(int from, const StreamSegment& segment, HttpObservation& out);
  void stop(int from, HttpStop why, HttpObservation& out, std::string_view error = {});

  std::array<Side, 2> sides_;
  // Requests not answered yet, oldest first (a ring: a client pipelining more than this is not paired beyond it).
  std::array<PendingRequest, 16> pending_{};
  std::uint8_t pending_first_ = 0;
  std::uint8_t pending_count_ = 0;
  std::uint32_t requests_ = 0;
  std::uint32_t responses_ = 0;
  std::uint32_t asked_close_packet_[2] = {0, 0};  // [side]: the packet of its last message that said close
  HttpEnding asked_ending_[2] = {HttpEnding::stays_open, HttpEnding::stays_open};
  std::int64_t last_byte_ns_ = 0;  // when either side last sent HTTP bytes
};

}  // namespace lab::flow
