#include "capture/flow/http_stream.hpp"

#include <algorithm>

#include "capture/flow/seq.hpp"

namespace lab::flow {

using lab::decode::HttpBodyLength;
using lab::decode::HttpHead;
using lab::decode::HttpHeadStatus;

const char* http_stop_name(HttpStop stop) {
  switch (stop) {
    case HttpStop::none: return "none";
    case HttpStop::gap: return "gap";
    case HttpStop::malformed: return "malformed";
    case HttpStop::tunnel: return "tunnel";
  }
  return "none";
}

const char* http_ending_name(HttpEnding ending) {
  switch (ending) {
    case HttpEnding::stays_open: return "stays-open";
    case HttpEnding::connection_close: return "connection-close";
    case HttpEnding::http10: return "http/1.0";
    case HttpEnding::both_lengths: return "both-lengths";
    case HttpEnding::until_close: return "until-close";
    case HttpEnding::tunnel: return "tunnel";
  }
  return "stays-open";
}

// In HttpHead::persistent()'s order.
HttpEnding http_ending_of(const HttpHead& head) {
  if (head.connection_close) return HttpEnding::connection_close;
  if (head.body == HttpBodyLength::until_close) return HttpEnding::until_close;
  if (head.body == HttpBodyLength::tunnel) return HttpEnding::tunnel;
  if (head.both_lengths) return HttpEnding::both_lengths;
  if (head.version_minor == 0 && !head.connection_keep_alive) return HttpEnding::http10;
  return HttpEnding::stays_open;
}

namespace {

constexpr int client = 0;
constexpr int server = 1;

std::string_view field_value(const HttpHead& head, std::string_view name) {
  const lab::decode::HttpField* field = head.field(name);
  return field ? field->value : std::string_view();
}

}  // namespace

HttpConversation::HttpConversation() {
  // A typical head is a few hundred bytes; reserving once keeps the common case to one allocation per side.
  for (Side& side : sides_) side.head.reserve(1024);
}

void HttpConversation::observe(int from, const StreamSegment& segment, HttpObservation& out) {
  Side& side = sides_[from];
  if (side.mode == Mode::stopped) {
    if (segment.new_fin && side.is_http) on_fin(from, segment, out);
    return;
  }
  if (!side.started) {
    if (segment.payload_len == 0) {
      if (segment.new_fin) on_fin(from, segment, out);
      return;
    }
    side.started = true;
    side.next = segment.first_seq;
  }
  std::span<const std::uint8_t> bytes = segment.payload;
  std::uint32_t declared = segment.payload_len;
  const std::int32_t ahead = seq_diff(side.next, segment.first_seq);  // > 0: it starts beyond what was read
  if (ahead < 0) {
    const std::uint32_t behind = side.next - segment.first_seq;  // unsigned: no overflow at -2^31
    if (behind >= declared) {
      // Bytes read before: a retransmission. Name the head it repeats the start of, if it does.
      if (declared > 0 && side.is_http) {
        out.carries = true;
        out.copy = true;
        for (const RecentHead& r : side.recent)
          if (r.packet != 0 && seq_diff(segment.first_seq, r.seq) >= 0 &&
              seq_diff(r.seq, segment.first_seq + declared) > 0)
            out.copy_of_head = r.packet;
      }
      if (segment.new_fin) on_fin(from, segment, out);
      return;
    }
    bytes = bytes.subspan(std::min<std::size_t>(behind, bytes.size()));
    declared -= behind;
  } else if (ahead > 0) {
    const auto missing = static_cast<std::uint32_t>(ahead);
    if (side.mode == Mode::body && missing <= side.body_left) {
      side.body_left -= missing;  // body bytes the capture missed: not needed to find where the body ends
      side.body_total += missing;
      side.next = segment.first_seq;
    } else if (side.mode == Mode::until_close) {
      side.body_total += missing;
      side.next = segment.first_seq;
    } else {
      if (side.is_http) stop(from, HttpStop::gap, out);
      else side.mode = Mode::stopped;
      return;
    }
  }
  // Declared bytes that were not captured (the snap length): a body can skip them, a head cannot.
  const std::uint32_t uncaptured = declared - static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), declared));
  side.next = segment.first_seq + (segment.payload_len - declared);  // where the bytes still to read start
  feed(from, bytes.first(std::min<std::size_t>(bytes.size(), declared)), segment, out);
  if (uncaptured > 0 && side.mode != Mode::stopped) {
    if (side.mode == Mode::body && uncaptured <= side.body_left) {
      side.body_left -= uncaptured;
      side.body_total += uncaptured;
      out.body_bytes += uncaptured;
      if (side.body_left == 0) body_done(from, HttpBodyLength::content_length, segment, out);
    } else if (side.mode == Mode::until_close) {
      side.body_total += uncaptured;
      out.body_bytes += uncaptured;
    } else if (side.is_http) {
      stop(from, HttpStop::gap, out);
    } else {
      side.mode = Mode::stopped;
    }
  }
  side.next = segment.first_seq + segment.payload_len;
  if (side.mode == Mode::body && out.body_bytes > 0) {
    out.body_of_packet = side.body_head_packet;
    out.body_so_far = side.body_total;
    out.body_expected = side.body_length;
  } else if ((side.mode == Mode::chunked || side.mode == Mode::until_close) && out.body_bytes > 0) {
    out.body_of_packet = side.body_head_packet;
    out.body_so_far = side.body_total;
  }
  if (out.carries && out.body_bytes + out.head_count + out.head_bytes_so_far > 0) last_byte_ns_ = segment.time_ns;
  if (segment.new_fin) on_fin(from, segment, out);
}

void HttpConversation::feed(int from, std::span<const std::uint8_t> rest, const StreamSegment& segment,
                            HttpObservation& out) {
  Side& side = sides_[from];
  // One pass per message part in the segment: a segment may end one body, hold a whole pipelined request and
  // start the next. Each pass reads at least one byte.
  const std::size_t most_passes = rest.size();
  for (std::size_t pass = 0; !rest.empty() && pass < most_passes; ++pass) {
    const std::size_t left_before = rest.size();
    switch (side.mode) {
      case Mode::start:
      case Mode::head:
        if (!read_head(from, rest, segment, out)) return;
        break;
      case Mode::body: {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(rest.size(), side.body_left));
        side.body_left -= take;
        side.body_total += take;
        out.body_bytes += take;
        out.carries = true;
        if (side.last_segment_packet != segment.packet_index) ++side.body_segments;
        side.last_segment_packet = segment.packet_index;
        rest = rest.subspan(take);
        if (side.body_left == 0) body_done(from, HttpBodyLength::content_length, segment, out);
        break;
      }
      case Mode::chunked: {
        const lab::decode::ChunkedBody::Step step = side.chunked.feed(rest);
        side.body_total += step.used;
        out.body_bytes += step.used;
        out.carries = true;
        if (side.last_segment_packet != segment.packet_index) ++side.body_segments;
        side.last_segment_packet = segment.packet_index;
        rest = rest.subspan(step.used);
        if (step.status == lab::decode::ChunkedBody::Status::done) body_done(from, HttpBodyLength::chunked, segment, out);
        else if (step.status == lab::decode::ChunkedBody::Status::malformed)
          return stop(from, HttpStop::malformed, out, side.chunked.error());
        break;
      }
      case Mode::until_close:
        side.body_total += rest.size();
        out.body_bytes += rest.size();
        out.carries = true;
        if (side.last_segment_packet != segment.packet_index) ++side.body_segments;
        side.last_segment_packet = segment.packet_index;
        return;
      case Mode::stopped:
        return;
    }
    side.next += static_cast<std::uint32_t>(left_before - rest.size());  // where the next part starts
  }
}

// Reads (more of) a head from `rest`. Returns false when the segment has nothing more to give this side.
bool HttpConversation::read_head(int from, std::span<const std::uint8_t>& rest, const StreamSegment& segment,
                                 HttpObservation& out) {
  Side& side = sides_[from];
  if (side.mode == Mode::start) {
    side.mode = Mode::head;
    side.head.clear();
    side.head_from_packet = segment.packet_index;
    side.head_start_seq = side.next;
    side.head_segments = 0;
  }
  ++side.head_segments;
  // A response is read knowing the request it answers (a HEAD's has no body, a CONNECT's 2xx starts a tunnel).
  std::string_view method;
  if (from == server && pending_count_ > 0) method = pending_[pending_first_].method.view();

  // Parsed in place when the head starts in this segment; kept only when it goes on into the next one.
  const std::size_t before = side.head.size();
  std::span<const std::uint8_t> bytes = rest;
  if (before > 0) {
    const std::size_t room = lab::decode::http_max_head_bytes - std::min(before, lab::decode::http_max_head_bytes);
    side.head.insert(side.head.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(std::min(room, rest.size())));
    bytes = side.head;
  }
  HttpHead head;
  const HttpHeadStatus status = lab::decode::parse_http_head(bytes, head, method);
  if (head.start_line_valid) side.is_http = true;
  switch (status) {
    case HttpHeadStatus::not_http:
      if (side.is_http) stop(from, HttpStop::malformed, out, "bytes that are no HTTP message where the next one should start");
      else side.mode = Mode::stopped;
      return false;
    case HttpHeadStatus::malformed:
      if (side.is_http) stop(from, HttpStop::malformed, out, head.error);
      else side.mode = Mode::stopped;
      return false;
    case HttpHeadStatus::incomplete:
      if (before == 0) {
        const std::size_t keep = std::min(rest.size(), lab::decode::http_max_head_bytes);
        side.head.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(keep));
      }
      if (side.is_http) {
        out.carries = true;
        out.head_in_progress_from = side.head_from_packet;
        out.head_bytes_so_far = static_cast<std::uint32_t>(side.head.size());
      }
      rest = {};
      return false;
    case HttpHeadStatus::complete:
      break;
  }
  const std::size_t used_here = head.head_length - before;
  head_done(from, head, segment, out);
  side.head.clear();
  rest = rest.subspan(std::min(used_here, rest.size()));
  return true;
}

void HttpConversation::head_done(int from, const HttpHead& head, const StreamSegment& segment, HttpObservation& out) {
  Side& side = sides_[from];
  out.carries = true;
  const bool interim = !head.is_request && head.status < 200 && head.status != 101;
  if (!interim) ++side.messages;
  side.last_message_packet = segment.packet_index;
  side.last_persistent = head.persistent();
  side.last_ending = http_ending_of(head);
  side.recent[side.recent_next] = {side.head_start_seq, segment.packet_index};
  side.recent_next = static_cast<std::uint8_t>((side.recent_next + 1) % side.recent.size());
  if (!head.persistent()) {
    asked_close_packet_[from] = segment.packet_index;
    asked_ending_[from] = side.last_ending;
  }

  HttpMessageSeen seen;
  seen.is_request = head.is_request;
  seen.number = side.messages;
  seen.version_minor = head.version_minor;
  if (head.is_request) {
    seen.method.assign(head.method);
    seen.target.assign(head.target);
  } else {
    seen.status = head.status;
    seen.reason.assign(head.reason);
  }
  for (std::size_t i = 0; i < head.field_count; ++i) {
    if (i > 0) seen.field_names.append(", ");
    seen.field_names.append(head.fields[i].name);
  }
  seen.field_count = static_cast<std::uint32_t>(head.fields_seen);
  seen.host.assign(head.host);
  seen.content_type.assign(field_value(head, "Content-Type"));
  seen.transfer_encoding.assign(field_value(head, "Transfer-Encoding"));
  seen.connection.assign(field_value(head, "Connection"));
  seen.body = head.body;
  seen.content_length = head.content_length;
  seen.content_length_sent = head.field("Content-Length") != nullptr;
  seen.both_lengths = head.both_lengths;
  seen.persistent = head.persistent();
  seen.head_bytes = static_cast<std::uint32_t>(head.head_length);
  seen.head_from_packet = side.head_from_packet;
  seen.head_segments = side.head_segments;
  seen.interim = interim;

  if (head.is_request) {
    ++requests_;
    seen.unanswered_before = pending_count_;
    if (pending_count_ < pending_.size()) {
      PendingRequest& p = pending_[(pending_first_ + pending_count_) % pending_.size()];
      p.packet = segment.packet_index;
      p.method.assign(head.method);
      p.target.assign(head.target);
      ++pending_count_;
    }
  } else {
    if (pending_count_ > 0) {
      const PendingRequest& p = pending_[pending_first_];
      seen.answers_packet = p.packet;
      seen.answers_method.assign(p.method.view());
      seen.answers_target.assign(p.target.view());
      if (!interim) {
        pending_first_ = static_cast<std::uint8_t>((pending_first_ + 1) % pending_.size());
        --pending_count_;
      }
    }
    if (!interim) ++responses_;
  }

  // Where its body ends.
  side.body_head_packet = segment.packet_index;
  side.body_is_request = head.is_request;
  side.body_total = 0;
  side.body_segments = 0;
  side.last_segment_packet = 0;
  switch (head.body) {
    case HttpBodyLength::none: side.mode = Mode::start; break;
    case HttpBodyLength::content_length:
      side.body_left = head.content_length;
      side.body_length = head.content_length;
      side.mode = head.content_length == 0 ? Mode::start : Mode::body;
      break;
    case HttpBodyLength::chunked:
      side.chunked = lab::decode::ChunkedBody{};
      side.mode = Mode::chunked;
      break;
    case HttpBodyLength::until_close: side.mode = Mode::until_close; break;
    case HttpBodyLength::tunnel: side.mode = Mode::start; break;
  }
  seen.body_ends_here = side.mode == Mode::start;
  if (out.head_count < out.heads.size()) out.heads[out.head_count++] = seen;
  else ++out.heads_not_kept;
  // After a tunnel is agreed (a 2xx to CONNECT, or 101 Switching Protocols) the bytes are another protocol's.
  if (head.body == HttpBodyLength::tunnel || (!head.is_request && head.status == 101)) {
    stop(client, HttpStop::tunnel, out);
    stop(server, HttpStop::tunnel, out);
  }
}

void HttpConversation::body_done(int from, HttpBodyLength how, const StreamSegment& segment, HttpObservation& out) {
  Side& side = sides_[from];
  HttpBodyEnd end;
  end.head_packet = side.body_head_packet;
  end.is_request = side.body_is_request;
  end.bytes = side.body_total;
  end.data_bytes = how == HttpBodyLength::chunked ? side.chunked.data_bytes() : side.body_total;
  end.chunks = how == HttpBodyLength::chunked ? side.chunked.chunks() : 0;
  end.how = how;
  end.segments = std::max<std::uint32_t>(side.body_segments, 1);
  if (side.body_head_packet == segment.packet_index && out.head_count > 0 && out.heads_not_kept == 0) {
    out.heads[out.head_count - 1].body_ends_here = true;  // head and body in this one segment
  } else if (out.body_end_count < out.body_ends.size()) {
    out.body_ends[out.body_end_count++] = end;
  }
  side.mode = Mode::start;
}

void HttpConversation::on_fin(int from, const StreamSegment& segment, HttpObservation& out) {
  Side& side = sides_[from];
  const Side& peer = sides_[1 - from];
  if (!side.is_http && !peer.is_http) return;
  out.carries = true;
  HttpClose& close = out.close;
  close.known = true;
  close.requests = requests_;
  close.responses = responses_;
  close.unanswered = pending_count_;
  close.last_message_packet = side.last_message_packet;
  close.own_close = side.messages > 0 && !side.last_persistent;
  close.own_ending = side.messages > 0 ? side.last_ending : HttpEnding::stays_open;
  close.asked_close_packet = asked_close_packet_[1 - from];
  close.asked_ending = asked_ending_[1 - from];
  close.since_last_message_ns = last_byte_ns_ != 0 ? segment.time_ns - last_byte_ns_ : 0;
  close.side_lost = side.lost || peer.lost;
  close.peer_mid_message = peer.mode == Mode::body || peer.mode == Mode::chunked || peer.mode == Mode::until_close ||
                           (peer.mode == Mode::head && peer.is_http);
  if (side.mode == Mode::until_close) {
    close.body_until_close = true;
    body_done(from, HttpBodyLength::until_close, segment, out);
  } else if (side.mode == Mode::body || side.mode == Mode::chunked || (side.mode == Mode::head && side.is_http)) {
    close.mid_message = true;
  }
  side.mode = Mode::stopped;
}

void HttpConversation::stop(int from, HttpStop why, HttpObservation& out, std::string_view error) {
  Side& side = sides_[from];
  if (side.mode == Mode::stopped) return;
  side.mode = Mode::stopped;
  side.head.clear();
  if (!side.is_http) return;
  side.lost = true;
  out.carries = true;
  if (out.stopped == HttpStop::none) {
    out.stopped = why;
    out.error = error;
  }
}

}  // namespace lab::flow
