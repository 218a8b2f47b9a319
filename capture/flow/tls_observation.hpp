#pragma once
// What the TLS stream tracker (tls_stream.hpp) read in one TCP segment: the records that became whole with it, the
// handshake messages sent in clear, an alert, or why it stopped. Plain values (text copied into fixed arrays), as
// http_observation.hpp explains.
#include <array>
#include <cstdint>
#include <string_view>

#include "capture/flow/http_observation.hpp"

namespace lab::flow {

struct TlsRecordSeen {
  std::uint8_t content_type = 0;
  std::uint16_t version = 0;       // the record's legacy version field
  std::uint16_t length = 0;
  std::uint32_t from_packet = 0;   // where its header began (this one, or earlier: reassembled)
  std::uint16_t segments = 1;
  bool encrypted = false;          // sent after the keys changed: the capture cannot read what it holds
};

struct TlsHelloSeen {
  std::uint8_t type = 0;               // 1 ClientHello, 2 ServerHello (others: no fields)
  std::uint32_t from_packet = 0;       // where the record carrying it began
  // ClientHello
  FixedText<64> server_name;
  FixedText<48> alpn;                  // the names offered, ", " between them
  std::uint8_t alpn_count = 0;
  std::array<std::uint16_t, 6> supported_versions{};
  std::uint8_t supported_version_count = 0;
  std::uint16_t cipher_suite_count = 0;
  std::uint16_t first_cipher_suite = 0;
  bool key_share = false;
  bool resumption = false;             // a session ticket or a pre-shared key: resuming an earlier session
  // ServerHello
  std::uint16_t version = 0;           // what the server chose (supported_versions, else the legacy field)
  std::uint16_t cipher_suite = 0;
  bool hello_retry_request = false;
  FixedText<16> chosen_alpn;           // TLS 1.2 only: 1.3 sends it encrypted
  std::uint16_t legacy_version = 0;
};

struct TlsObservation {
  bool carries = false;                // TLS bytes of its sender
  std::uint8_t record_count = 0;       // records that became whole here (at most records.size() kept)
  std::uint8_t records_not_kept = 0;
  std::array<TlsRecordSeen, 8> records{};
  std::uint8_t hello_count = 0;        // handshake messages read in clear here
  std::array<TlsHelloSeen, 2> hellos{};
  std::uint8_t other_handshake_count = 0;  // other clear handshake messages (Certificate, ServerHelloDone...)
  std::array<std::uint8_t, 8> other_handshake_types{};
  bool alert = false;                  // an alert in clear
  std::uint8_t alert_level = 0, alert_description = 0;
  std::uint32_t record_in_progress_from = 0;  // the segment ends inside a record begun at this packet
  std::uint32_t record_bytes_so_far = 0;
  std::uint16_t record_in_progress_length = 0;
  bool copy = false;                   // every byte was sent before: a retransmission
  std::uint16_t negotiated_version = 0;  // the version the ServerHello chose, once seen (0: not yet)
  bool tls13_compat = false;           // TLS 1.3 is known (chosen, or a HelloRetryRequest seen): CCS is a dummy
  HttpStop stopped = HttpStop::none;   // gap or malformed (a record header that cannot be)
  std::string_view error;
};

}  // namespace lab::flow
