#pragma once
// The TLS record layer (RFC 8446 section 5.1, RFC 5246 section 6.2) and the handshake messages sent in clear:
// ClientHello and ServerHello (RFC 8446 section 4.1). Everything after them is encrypted (TLS 1.3 encrypts the rest
// of the handshake too, and hides each record's true type behind application_data), so it is not decoded here:
// neither lab nor Wireshark can read it without the keys.
//
// A record is 5 bytes of header (type, legacy version, length) and up to 2^14 + 256 bytes after it (RFC 8446 allows
// 2^14 + 256 for encrypted records; TLS 1.2 up to 2^14 + 2048). Handshake messages are 4 bytes of header (type,
// 24-bit length) and may span several records; the callers hand a whole message over. The bytes are untrusted: every
// read is bounds-checked (byte_reader.hpp) and lengths that lie make the message malformed.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace lab::decode {

namespace tls_content {
inline constexpr std::uint8_t change_cipher_spec = 20, alert = 21, handshake = 22, application_data = 23,
                              heartbeat = 24;
}  // namespace tls_content

namespace tls_handshake_type {
inline constexpr std::uint8_t client_hello = 1, server_hello = 2, new_session_ticket = 4, end_of_early_data = 5,
                              encrypted_extensions = 8, certificate = 11, server_key_exchange = 12,
                              certificate_request = 13, server_hello_done = 14, certificate_verify = 15,
                              client_key_exchange = 16, finished = 20, key_update = 24, message_hash = 254;
}  // namespace tls_handshake_type

inline constexpr std::size_t tls_record_header_bytes = 5;
inline constexpr std::size_t tls_max_record_length = 16384 + 2048;  // TLS 1.2's ciphertext limit, the larger

struct TlsRecordHeader {
  std::uint8_t content_type = 0;
  std::uint16_t version = 0;  // the legacy record version: 0x0301 in a first ClientHello, 0x0303 after
  std::uint16_t length = 0;   // of what follows the header
};

// The header at the start of `bytes`, if 5 bytes are there and they could be a TLS record's: a known content type,
// version 3.x (x up to 4), a length within the limit.
std::optional<TlsRecordHeader> read_tls_record_header(std::span<const std::uint8_t> bytes);

// "handshake", "application_data", ... (nullptr for an unknown type).
const char* tls_content_type_name(std::uint8_t type);
// "ClientHello", "ServerHello", "Finished", ... (nullptr for an unknown type).
const char* tls_handshake_type_name(std::uint8_t type);
// "TLS 1.2" for 0x0303, "TLS 1.3" for 0x0304, "SSL 3.0"; nullptr for anything else.
const char* tls_version_name(std::uint16_t version);
// The IANA name of a cipher suite the labs and common clients use ("TLS_AES_128_GCM_SHA256"); nullptr if not
// among them.
const char* tls_cipher_suite_name(std::uint16_t suite);
// The alert description's name, RFC 8446 section 6 ("close_notify", "handshake_failure"...); nullptr if unknown.
const char* tls_alert_name(std::uint8_t description);

struct TlsClientHello {
  std::uint16_t legacy_version = 0;            // 0x0303 in TLS 1.3 too: the real offer is supported_versions
  std::uint16_t cipher_suite_count = 0;          // GREASE values (RFC 8701) left out, here and in supported_versions
  std::array<std::uint16_t, 4> cipher_suites{};  // the first few offered, in the client's order of preference
  std::string_view server_name;                // SNI (RFC 6066): the host the client asks for; empty if not sent
  std::array<std::string_view, 4> alpn{};      // ALPN protocols offered (RFC 7301), "h2", "http/1.1"...
  std::uint8_t alpn_count = 0;                 // every protocol offered (more than alpn.size() are counted)
  std::array<std::uint16_t, 6> supported_versions{};  // RFC 8446 4.2.1, in order; empty for a pre-1.3 client
  std::uint8_t supported_version_count = 0;
  std::uint16_t extension_count = 0;
  bool has_key_share = false;
  bool has_session_ticket = false;             // session_ticket (TLS 1.2) or pre_shared_key (1.3): resumption
};

struct TlsServerHello {
  std::uint16_t legacy_version = 0;
  std::uint16_t cipher_suite = 0;
  std::uint16_t selected_version = 0;  // from supported_versions (TLS 1.3); 0 when absent (then legacy_version)
  bool hello_retry_request = false;    // the special random of RFC 8446 4.1.3: "send your ClientHello again"
  std::string_view alpn;               // TLS 1.2 sends the chosen ALPN here (1.3 in the encrypted extensions)
  std::uint16_t extension_count = 0;
  std::uint16_t version() const { return selected_version ? selected_version : legacy_version; }
};

struct TlsHandshakeMessage {
  std::uint8_t type = 0;
  std::uint32_t length = 0;  // of the body, after the 4-byte header
  std::optional<TlsClientHello> client_hello;
  std::optional<TlsServerHello> server_hello;
  std::string_view error;    // a ClientHello or ServerHello whose lengths do not add up (a constant)
};

// The handshake message at the start of `bytes` (header and body whole: length + 4 bytes). ClientHello and
// ServerHello are read field by field; other types only by their header.
TlsHandshakeMessage parse_tls_handshake(std::span<const std::uint8_t> bytes);

}  // namespace lab::decode
