// HTTP/1.x riding on a TCP segment, explained from what the HTTP stream tracker read (flow/http_stream.hpp): the
// start line and the fields that matter, how the receiver knows where the body ends, a head that took several
// segments, keep-alive reuse and pipelining, and, with a FIN, what the HTTP said about closing.
#include <fmt/format.h>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"
#include "capture/render/escape.hpp"

namespace lab::annotate {
namespace {

using lab::decode::HttpBodyLength;
using lab::flow::HttpMessageSeen;

// Text from the wire, escaped (a target or a reason can hold anything), and marked where the tracker cut it.
template <std::size_t N>
void append_wire_text(std::string& note, const lab::flow::FixedText<N>& text) {
  lab::render::append_escaped_bytes(note, text.view(), N);
  if (text.cut()) note += "…";
}

void explain_reassembled_head(const HttpMessageSeen& m, const PacketContext& context, std::string& note) {
  if (m.head_segments <= 1) return;
  const std::uint32_t at = explained_at(context.explained, Topic::http_reassembled, context.index);
  SAY(note, "Its head ({} bytes) came in {} segments, #{} to this one", m.head_bytes, m.head_segments,
      m.head_from_packet);
  if (at != 0) fmt::format_to(std::back_inserter(note), " (reassembled, as at #{}).", at);
  else note += ": TCP delivers a byte stream, not messages, so the receiver's HTTP parser (and lab) reads the head "
               "only once the empty line that ends it has arrived.";
}

void explain_fields(const HttpMessageSeen& m, std::string& note) {
  if (m.field_count == 0) {
    SAY(note, "No header fields.");
    return;
  }
  SAY(note, "{}: ", count_words(m.field_count, "header field", "header fields"));
  append_wire_text(note, m.field_names);
  if (m.field_count > 0 && !m.field_names.cut()) note += '.';
}

// How the receiver knows where the body ends (RFC 9112 section 6.3), said once per message.
void explain_body_length(const HttpMessageSeen& m, const PacketContext& context, std::string& note) {
  const char* who = m.is_request ? "request" : "response";
  switch (m.body) {
    case HttpBodyLength::none:
      if (m.is_request) {
        SAY(note, "No body: a request with neither Content-Length nor Transfer-Encoding has none (RFC 9112, section 6.3).");
      } else if (m.answers_method.view() == "HEAD") {
        SAY(note, "No body: it answers a HEAD request, which asks for the head alone");
        if (m.content_length_sent) fmt::format_to(std::back_inserter(note), " (its Content-Length: {} is the size a GET would get).", m.content_length);
        else note += '.';
      } else {
        SAY(note, "No body: a {} response never has one (RFC 9112, section 6.3).", m.status);
      }
      return;
    case HttpBodyLength::content_length: {
      const std::uint32_t at = explained_at(context.explained, Topic::http_content_length, context.index);
      if (m.content_length == 0) SAY(note, "Content-Length: 0: the {} has an empty body", who);
      else SAY(note, "Content-Length: {}: the body is the next {}", m.content_length, count_words(m.content_length, "byte", "bytes"));
      if (at == 0) note += ", which is how the receiver knows where this message ends and the next begins";
      note += m.body_ends_here && m.content_length > 0 ? "; all of it is in this segment." : ".";
      return;
    }
    case HttpBodyLength::chunked: {
      const std::uint32_t at = explained_at(context.explained, Topic::http_chunked, context.index);
      if (at != 0) SAY(note, "Transfer-Encoding: chunked (as at #{}).", at);
      else SAY(note, "Transfer-Encoding: chunked: the body comes in chunks, each preceded by its size in hex, and a chunk of size 0 ends it; the sender need not know the length in advance.");
      if (m.body_ends_here) SAY(note, "The whole chunked body is in this segment.");
      return;
    }
    case HttpBodyLength::until_close:
      SAY(note, "Neither Content-Length nor chunked coding: the body ends only when the server closes the connection (RFC 9112, section 6.3), so this connection can carry no further response.");
      return;
    case HttpBodyLength::tunnel:
      SAY(note, "A 2xx answer to CONNECT: from here the connection is a tunnel, and its bytes are no longer HTTP.");
      return;
  }
}

void explain_persistence(const HttpMessageSeen& m, const PacketContext& context, std::string& note) {
  if (!m.persistent) {
    if (!m.connection.empty() && m.connection.view().find("close") != std::string_view::npos) {
      if (m.is_request) SAY(note, "Connection: close: the client asks the server to close the connection after answering.");
      else SAY(note, "Connection: close: the server will close the connection after this response.");
    } else if (m.version_minor == 0) {
      SAY(note, "HTTP/1.0 without Connection: keep-alive: the connection ends after {}.",
          m.is_request ? "the response" : "this response");
    } else if (m.both_lengths) {
      SAY(note, "It sends both Content-Length and Transfer-Encoding (Transfer-Encoding wins): the connection must close after it (RFC 9112, section 6.1).");
    }
    return;
  }
  if (m.number >= 2) {
    // Counted from the start of the connection, or, where the capture began later, from what it shows.
    const char* on = context.observation.conversation->mid_stream ? "seen on this connection" : "on this connection";
    const std::uint32_t at = explained_at(context.explained, Topic::http_reuse, context.index);
    if (at != 0) SAY(note, "{} {} {} (keep-alive, as at #{}).", m.is_request ? "Request" : "Response", m.number, on, at);
    else SAY(note, "{} {} {}: keep-alive reuses the connection, with no new handshake.",
             m.is_request ? "Request" : "Response", m.number, on);
    return;
  }
  if (m.is_request && m.version_minor >= 1 &&
      explained_at(context.explained, Topic::http_persistent, context.index) == 0)
    SAY(note, "HTTP/1.1 keeps the connection open after the response unless a side says Connection: close.");
}

void explain_request(const HttpMessageSeen& m, const PacketContext& context, std::string& note) {
  SAY(note, "HTTP request: ");
  append_wire_text(note, m.method);
  note += ' ';
  append_wire_text(note, m.target);
  fmt::format_to(std::back_inserter(note), " (HTTP/1.{})", m.version_minor);
  if (!m.host.empty()) {
    note += ", for host ";
    append_wire_text(note, m.host);
  }
  note += '.';
  explain_reassembled_head(m, context, note);
  explain_fields(m, note);
  explain_body_length(m, context, note);
  if (m.unanswered_before > 0) {
    const std::uint32_t at = explained_at(context.explained, Topic::http_pipelining, context.index);
    SAY(note, "Sent while {} still unanswered: pipelining", count_words(m.unanswered_before, "earlier request was", "earlier requests were"));
    if (at != 0) fmt::format_to(std::back_inserter(note), " (as at #{}).", at);
    else note += " (RFC 9112, section 9.3.2): the server must answer in the order asked.";
  }
  explain_persistence(m, context, note);
}

void explain_response(const HttpMessageSeen& m, const PacketContext& context, std::string& note) {
  SAY(note, "HTTP response: {}", m.status);
  if (!m.reason.empty()) {
    note += ' ';
    append_wire_text(note, m.reason);
  }
  fmt::format_to(std::back_inserter(note), " (HTTP/1.{})", m.version_minor);
  if (m.answers_packet != 0) {
    note += ", answering the ";
    append_wire_text(note, m.answers_method);
    note += ' ';
    append_wire_text(note, m.answers_target);
    fmt::format_to(std::back_inserter(note), " of #{}.", m.answers_packet);
  } else {
    note += ", to a request the capture did not show.";
  }
  if (m.interim) SAY(note, "An interim (1xx) response: the final response to the same request follows.");
  if (m.status == 101) SAY(note, "101 Switching Protocols: from here on the connection speaks another protocol, not HTTP/1.x.");
  explain_reassembled_head(m, context, note);
  explain_fields(m, note);
  if (!m.content_type.empty()) {
    SAY(note, "Content-Type: ");
    append_wire_text(note, m.content_type);
    note += '.';
  }
  explain_body_length(m, context, note);
  explain_persistence(m, context, note);
}

void explain_body_end(const lab::flow::HttpBodyEnd& end, std::string& note) {
  const char* whose = end.is_request ? "request" : "response";
  switch (end.how) {
    case HttpBodyLength::chunked:
      SAY(note, "The last chunk (size 0) ends the chunked body of the {} of #{}: {} of data in {}, {} on the wire with the sizes and line ends.",
          whose, end.head_packet, count_words(end.data_bytes, "byte", "bytes"), count_words(end.chunks, "chunk", "chunks"),
          count_words(end.bytes, "byte", "bytes"));
      break;
    case HttpBodyLength::until_close:
      SAY(note, "This FIN ends the body of the {} of #{}: {}, ended by the close as its head said.", whose,
          end.head_packet, count_words(end.bytes, "byte", "bytes"));
      break;
    default:
      SAY(note, "This ends the body of the {} of #{}: {} in {}, as its Content-Length said.", whose, end.head_packet,
          count_words(end.bytes, "byte", "bytes"), count_words(end.segments, "segment", "segments"));
      break;
  }
}

// How a message said the connection ends after it, in a few words.
const char* ending_words(lab::flow::HttpEnding ending) {
  switch (ending) {
    case lab::flow::HttpEnding::stays_open: return "it would stay open";
    case lab::flow::HttpEnding::connection_close: return "Connection: close";
    case lab::flow::HttpEnding::http10: return "HTTP/1.0 without keep-alive";
    case lab::flow::HttpEnding::both_lengths: return "both Content-Length and Transfer-Encoding";
    case lab::flow::HttpEnding::until_close: return "a body that ends at the close";
    case lab::flow::HttpEnding::tunnel: return "a tunnel";
  }
  return "";
}

}  // namespace

void explain_http(const PacketContext& context, std::string& note) {
  const auto& h = context.observation.http;
  const char* sender = lab::flow::role_name(context.observation.from);
  if (h.copy) {
    SAY(note, "Its bytes are ones lab has read past already (a retransmission, or a segment that arrived out of order)");
    if (h.copy_of_head != 0) fmt::format_to(std::back_inserter(note), "; it repeats the start of the head read at #{}", h.copy_of_head);
    note += ": nothing new for HTTP here.";
  }
  // The end of a body comes first in the segment, then any heads that follow it.
  for (std::size_t i = 0; i < h.body_end_count; ++i)
    if (h.body_ends[i].how != HttpBodyLength::until_close) explain_body_end(h.body_ends[i], note);
  if (h.body_bytes > 0 && h.head_count == 0 && h.body_end_count == 0 && h.body_of_packet != 0) {
    // A client's bytes are a request's; a server's, a response's.
    const bool request = context.observation.from == lab::flow::Role::client;
    SAY(note, "{} of the body of the {} of #{}", count_words(h.body_bytes, "byte", "bytes"), request ? "request" : "response",
        h.body_of_packet);
    if (h.body_expected != 0)
      fmt::format_to(std::back_inserter(note), " ({} of {} bytes so far).", h.body_so_far, h.body_expected);
    else
      fmt::format_to(std::back_inserter(note), " ({} bytes so far).", h.body_so_far);
  }
  for (std::size_t i = 0; i < h.head_count; ++i) {
    if (h.heads[i].is_request) explain_request(h.heads[i], context, note);
    else explain_response(h.heads[i], context, note);
  }
  if (h.heads_not_kept > 0) SAY(note, "And {} more in this segment.", count_words(h.heads_not_kept, "message head", "message heads"));
  if (h.head_count > 0 && h.body_bytes > 0 && h.head_count == 1 && !h.heads[0].body_ends_here && h.body_of_packet != 0)
    SAY(note, "This segment carries the first {} of that body.", count_words(h.body_bytes, "byte", "bytes"));
  if (h.head_in_progress_from != 0) {
    if (h.head_in_progress_from == context.index)
      SAY(note, "The start of an HTTP head ({} so far): it is not whole until the empty line that ends it arrives, in a later segment.",
          count_words(h.head_bytes_so_far, "byte", "bytes"));
    else
      SAY(note, "More of the HTTP head begun at #{} ({} so far): still no empty line, so still not whole.",
          h.head_in_progress_from, count_words(h.head_bytes_so_far, "byte", "bytes"));
  }
  switch (h.stopped) {
    case lab::flow::HttpStop::none: break;
    case lab::flow::HttpStop::gap:
      SAY(note, "lab lacks bytes it needs here (missing from the capture, cut by its snap length, or yet to arrive out of order), and HTTP's framing cannot be read without them: lab stops following HTTP on the {}'s side here.", sender);
      break;
    case lab::flow::HttpStop::malformed:
      SAY(note, "This breaks HTTP/1.1's rules ({}): lab stops following HTTP on the {}'s side here.", h.error, sender);
      break;
    case lab::flow::HttpStop::tunnel:
      break;  // said with the response that started it
  }
}

void explain_http_close(const PacketContext& context, std::string& note) {
  const auto& h = context.observation.http;
  const auto& c = h.close;
  const bool client = context.observation.from == lab::flow::Role::client;
  for (std::size_t i = 0; i < h.body_end_count; ++i)
    if (h.body_ends[i].how == HttpBodyLength::until_close) explain_body_end(h.body_ends[i], note);
  if (c.mid_message) SAY(note, "It closes in the middle of an HTTP message of its own: that message is cut short.");
  if (c.side_lost) {
    SAY(note, "lab stopped following HTTP on a side earlier, so it cannot tell what was answered before this close, nor why it comes.");
    return;
  }
  if (c.unanswered > 0) {
    SAY(note, "It closes with {} unanswered.", count_words(c.unanswered, "request", "requests"));
    return;
  }
  // Why a side closes is a question for the first to close; the other answers its FIN (the TCP part says so).
  const auto& conversation = *context.observation.conversation;
  if (conversation.first_to_close && *conversation.first_to_close != context.observation.from) return;
  if (client) {
    if (c.peer_mid_message) {
      SAY(note, "The server's message was still arriving when the client closed.");
      return;
    }
    if (c.responses > 0)
      SAY(note, "The client closes once every request it sent on this connection has been answered ({} of {}): HTTP/1.1 lets either side close an idle connection.",
          c.responses, c.requests);
    if (c.asked_close_packet != 0)
      SAY(note, "The server's message of #{} had said the connection would end after it ({}).", c.asked_close_packet,
          ending_words(c.asked_ending));
    return;
  }
  if (c.body_until_close) {
    SAY(note, "Why the server closes: its response's body ends only with the close.");
  } else if (c.asked_close_packet != 0) {
    SAY(note, "Why the server closes: the request of #{} asked for it ({})", c.asked_close_packet, ending_words(c.asked_ending));
    if (c.own_close && c.last_message_packet != 0)
      fmt::format_to(std::back_inserter(note), ", and its response of #{} said so ({}).", c.last_message_packet, ending_words(c.own_ending));
    else note += '.';
  } else if (c.own_close) {
    SAY(note, "Why the server closes: its response of #{} said the connection would end after it ({}).", c.last_message_packet, ending_words(c.own_ending));
  } else if (c.responses > 0) {
    SAY(note, "Nothing in the HTTP asked for this close: the server closes a connection idle for {} since the last HTTP bytes. Servers close idle connections after a time of their own; the capture cannot show that setting.",
        duration_words(c.since_last_message_ns));
  }
}

}  // namespace lab::annotate
