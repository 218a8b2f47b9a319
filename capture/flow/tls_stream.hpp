#pragma once
// TLS over one TCP connection, record by record, as each receiver's TLS layer reads it: a 5-byte header says the
// record's type and length, so the stream is cut into records without reading inside them, across segment
// boundaries. Handshake records sent before a side's keys change are read: ClientHello and ServerHello in full
// (capture/decode/tls.hpp), the others by type. What follows is encrypted and is only counted.
//
// Recognised by its bytes on any port: a side is TLS when its first bytes are a record header (known type, version
// 3.x, a length within the limit). Only a record header cut by a segment boundary and the handshake messages read in
// clear are kept, and only until whole (bounded); an encrypted record is skipped by counting, so a gap inside it costs
// nothing. A gap where a header must be read stops the following on that side, and says so.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/flow/stream_segment.hpp"
#include "capture/flow/tls_observation.hpp"

namespace lab::flow {

class TlsConversation {
 public:
  TlsConversation();

  // Feeds one segment of `from` (0 client, 1 server) and says what it did in `out`.
  void observe(int from, const StreamSegment& segment, TlsObservation& out);
  void rule_out(int side) { sides_[side].mode = Mode::stopped; }

 private:
  enum class Mode : std::uint8_t { header, body, stopped };
  struct Side {
    Mode mode = Mode::header;
    bool started = false;
    bool is_tls = false;
    bool keys_changed = false;       // it has sent ChangeCipherSpec (TLS 1.2), or the handshake moved to 1.3's keys
    std::uint32_t next = 0;          // sequence number of the next byte to read
    std::array<std::uint8_t, 5> header{};
    std::uint8_t header_bytes = 0;
    TlsRecordSeen record;            // the record being read
    std::uint32_t body_left = 0;
    std::uint32_t last_packet = 0;
    bool keep_body = false;          // a handshake record in clear: its bytes go to `handshake`
    std::vector<std::uint8_t> handshake;  // clear handshake bytes not yet made into whole messages (bounded)
    std::uint32_t handshake_from_packet = 0;
  };

  void feed(int from, std::span<const std::uint8_t> rest, const StreamSegment& segment, TlsObservation& out);
  void record_done(int from, const StreamSegment& segment, TlsObservation& out);
  void read_handshake_messages(int from, TlsObservation& out);
  void stop(int from, HttpStop why, TlsObservation& out, std::string_view error = {});

  std::array<Side, 2> sides_;
  std::uint16_t negotiated_version_ = 0;  // from the ServerHello
  bool hello_retry_ = false;              // a HelloRetryRequest was seen: TLS 1.3, whose ChangeCipherSpec is a dummy
};

}  // namespace lab::flow
