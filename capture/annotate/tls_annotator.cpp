// TLS records riding on a TCP segment, explained from what the TLS stream tracker read (flow/tls_stream.hpp): the
// handshake messages sent in clear (what the client asks for, what the server chooses), the switch to encryption,
// and the encrypted records, of which a capture shows only the type and the length.
#include <fmt/format.h>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"
#include "capture/decode/tls.hpp"
#include "capture/render/escape.hpp"

namespace lab::annotate {
namespace {

namespace content = lab::decode::tls_content;

void append_version(std::string& note, std::uint16_t version) {
  if (const char* name = lab::decode::tls_version_name(version)) note += name;
  else fmt::format_to(std::back_inserter(note), "version 0x{:04x}", version);
}

void append_suite(std::string& note, std::uint16_t suite) {
  if (const char* name = lab::decode::tls_cipher_suite_name(suite)) note += name;
  else fmt::format_to(std::back_inserter(note), "cipher suite 0x{:04x}", suite);
}

void explain_client_hello(const lab::flow::TlsHelloSeen& h, std::string& note) {
  SAY(note, "TLS ClientHello: the client opens the TLS handshake");
  if (!h.server_name.empty()) {
    note += " for host \"";
    lab::render::append_escaped_bytes(note, h.server_name.view(), 64);
    note += "\" (SNI, sent in clear: anyone on the path can read which site it asks for)";
  } else {
    note += ", naming no host (no SNI)";
  }
  note += '.';
  if (h.supported_version_count > 0) {
    SAY(note, "It offers ");
    for (std::size_t i = 0; i < h.supported_version_count; ++i) {
      if (i > 0) note += i + 1 == h.supported_version_count ? " and " : ", ";
      append_version(note, h.supported_versions[i]);
    }
    note += " (supported_versions; the legacy version field says ";
    append_version(note, h.legacy_version);
    note += " for old middleboxes' sake).";
  } else {
    SAY(note, "It offers up to ");
    append_version(note, h.legacy_version);
    note += " (no supported_versions extension: no TLS 1.3).";
  }
  if (h.alpn_count > 0) {
    SAY(note, "ALPN: ");
    lab::render::append_escaped_bytes(note, h.alpn.view(), 48);
    note += " (the application protocols it can speak inside).";
  }
  SAY(note, "{} offered, first ", count_words(h.cipher_suite_count, "cipher suite", "cipher suites"));
  append_suite(note, h.first_cipher_suite);
  note += '.';
  if (h.key_share) SAY(note, "It already sends a key share, so that TLS 1.3 can agree on keys in this one round trip.");
  if (h.resumption) SAY(note, "It offers to resume an earlier session (a session ticket or a pre-shared key).");
}

void explain_server_hello(const lab::flow::TlsHelloSeen& h, std::string& note) {
  if (h.hello_retry_request) {
    SAY(note, "TLS HelloRetryRequest (a ServerHello with RFC 8446's special random): the server wants another ClientHello, usually with a key share for a group it accepts.");
    return;
  }
  SAY(note, "TLS ServerHello: the server chooses ");
  append_version(note, h.version);
  note += " and ";
  append_suite(note, h.cipher_suite);
  note += '.';
  if (h.version == 0x0304) {
    SAY(note, "With TLS 1.3 everything after this message is encrypted, the rest of the handshake too (the certificate, Finished): neither lab nor Wireshark can read it without the keys.");
  } else {
    if (!h.chosen_alpn.empty()) {
      SAY(note, "ALPN: ");
      lab::render::append_escaped_bytes(note, h.chosen_alpn.view(), 16);
      note += '.';
    }
    SAY(note, "With TLS 1.2 the handshake goes on in clear (certificate, key exchange) until each side's ChangeCipherSpec.");
  }
}

void explain_record(const lab::flow::TlsRecordSeen& r, const lab::flow::TlsObservation& t, std::string& note) {
  if (r.segments > 1)
    SAY(note, "A TLS record of {} came in {} segments, #{} to this one: TLS reads a record only once it is whole.",
        count_words(r.length, "byte", "bytes"), r.segments, r.from_packet);
  switch (r.content_type) {
    case content::change_cipher_spec:
      if (t.tls13_compat)
        SAY(note, "ChangeCipherSpec: in TLS 1.3 a dummy, sent only so that middleboxes that expect TLS 1.2 let the connection through (RFC 8446, appendix D.4).");
      else if (t.negotiated_version != 0)
        SAY(note, "ChangeCipherSpec: from the next record on, this side encrypts with the keys just agreed.");
      else
        SAY(note, "ChangeCipherSpec: in TLS 1.2, from the next record on this side encrypts (in TLS 1.3 it would be a dummy; the capture has not shown which version the ServerHello chose).");
      return;
    case content::application_data:
      return;  // said together, after the others (explain_encrypted)
    case content::handshake:
      if (r.encrypted && t.negotiated_version != 0)
        SAY(note, "An encrypted handshake record, {}: after its ChangeCipherSpec a TLS 1.2 side sends Finished next (RFC 5246, section 7.4.9), which proves it saw the same handshake.",
            count_words(r.length, "byte", "bytes"));
      else if (r.encrypted)
        SAY(note, "An encrypted handshake record, {}: its content cannot be read.", count_words(r.length, "byte", "bytes"));
      return;  // in clear: its messages are explained one by one
    case content::alert:
      if (r.encrypted)
        SAY(note, "An encrypted TLS alert, {}: the capture cannot tell a close_notify (\"I am done\") from an error.",
            count_words(r.length, "byte", "bytes"));
      return;
    default:
      SAY(note, "A TLS record of type {}, {}.", r.content_type, count_words(r.length, "byte", "bytes"));
  }
}

// The application_data records of the segment, together: a capture shows only their lengths.
void explain_encrypted(const lab::flow::TlsObservation& t, const PacketContext& context, std::string& note) {
  std::size_t count = 0;
  std::uint64_t bytes = 0;
  for (std::size_t i = 0; i < t.record_count; ++i) {
    if (t.records[i].content_type != content::application_data) continue;
    ++count;
    bytes += t.records[i].length;
  }
  if (count == 0) return;
  const std::uint32_t at = explained_at(context.explained, Topic::tls_encrypted, context.index);
  if (count == 1) SAY(note, "An encrypted TLS record (application_data), {}", count_words(bytes, "byte", "bytes"));
  else SAY(note, "{} encrypted TLS records (application_data), {} in all", count, count_words(bytes, "byte", "bytes"));
  if (t.records_not_kept > 0) fmt::format_to(std::back_inserter(note), ", and {} more records", t.records_not_kept);
  if (at != 0) {
    fmt::format_to(std::back_inserter(note), " (as at #{}).", at);
    return;
  }
  note += ": neither lab nor Wireshark can read them without the keys (`--keylog` writes them, for Wireshark).";
  if (t.negotiated_version == 0x0304)
    note += " In TLS 1.3 the rest of the handshake and any alert travel in such records too, so even their type is hidden.";
}

}  // namespace

void explain_tls(const PacketContext& context, std::string& note) {
  const auto& t = context.observation.tls;
  if (t.copy) {
    SAY(note, "Its bytes are ones lab has read past already (a retransmission, or a segment that arrived out of order): nothing new for TLS here.");
    return;
  }
  // The hellos first: in the usual segment they are its first record, and what follows depends on them.
  for (std::size_t i = 0; i < t.hello_count; ++i) {
    if (t.hellos[i].type == lab::decode::tls_handshake_type::client_hello) explain_client_hello(t.hellos[i], note);
    else explain_server_hello(t.hellos[i], note);
  }
  if (t.other_handshake_count > 0) {
    SAY(note, "TLS handshake in clear: ");
    for (std::size_t i = 0; i < t.other_handshake_count; ++i) {
      if (i > 0) note += ", ";
      const char* name = lab::decode::tls_handshake_type_name(t.other_handshake_types[i]);
      if (name) note += name;
      else fmt::format_to(std::back_inserter(note), "type {}", t.other_handshake_types[i]);
    }
    note += '.';
  }
  for (std::size_t i = 0; i < t.record_count; ++i) explain_record(t.records[i], t, note);
  explain_encrypted(t, context, note);
  if (t.alert) {
    SAY(note, "TLS alert, {}: ", t.alert_level == 2 ? "fatal" : t.alert_level == 1 ? "warning" : "of an unknown level");
    if (const char* name = lab::decode::tls_alert_name(t.alert_description)) note += name;
    else fmt::format_to(std::back_inserter(note), "description {}", t.alert_description);
    note += '.';
  }
  if (t.record_in_progress_from != 0) {
    if (t.record_in_progress_length != 0)
      SAY(note, "A TLS record of {} is under way since #{} ({} so far): it is read once whole.",
          count_words(t.record_in_progress_length, "byte", "bytes"), t.record_in_progress_from, t.record_bytes_so_far);
    else
      SAY(note, "The start of a TLS record header ({} of its 5 bytes).", t.record_bytes_so_far);
  }
  if (t.stopped == lab::flow::HttpStop::gap)
    SAY(note, "lab lacks bytes it needs here (missing from the capture, cut by its snap length, or yet to arrive out of order), and the next TLS record header cannot be found without them: lab stops following TLS on this side here.");
  else if (t.stopped == lab::flow::HttpStop::malformed)
    SAY(note, "This breaks TLS's record rules ({}): lab stops following TLS on this side here.", t.error);
  else if (!t.error.empty())
    SAY(note, "(The handshake message is malformed: {}.)", t.error);
}

}  // namespace lab::annotate
