#include "capture/decode/tls.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

namespace ext {
constexpr std::uint16_t server_name = 0, alpn = 16, session_ticket = 35, pre_shared_key = 41,
                        supported_versions = 43, key_share = 51;
}

// RFC 8701's GREASE values (0x0a0a, 0x1a1a, ... 0xfafa): sent to keep servers tolerant of unknown values, meaning nothing.
bool is_grease(std::uint16_t value) { return (value & 0x0f0f) == 0x0a0a && (value >> 12) == ((value >> 4) & 0x0f); }

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest (the SHA-256 of "HelloRetryRequest").
constexpr std::array<std::uint8_t, 32> hello_retry_random = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

// server_name (RFC 6066 section 3): a list of (type, name); type 0 is a host name.
void read_server_name(std::span<const std::uint8_t> data, TlsClientHello& hello) {
  ByteReader r(data);
  ByteReader list(r.take(r.be16()));
  while (list.ok() && list.remaining() > 0) {
    const std::uint8_t type = list.u8();
    const auto name = list.take(list.be16());
    if (list.ok() && type == 0 && hello.server_name.empty()) hello.server_name = as_text(name);
  }
}

// application_layer_protocol_negotiation (RFC 7301 section 3.1): a list of 1-byte-length names.
template <class Each>
void read_alpn(std::span<const std::uint8_t> data, Each each) {
  ByteReader r(data);
  ByteReader list(r.take(r.be16()));
  while (list.ok() && list.remaining() > 0) {
    const auto name = list.take(list.u8());
    if (list.ok()) each(as_text(name));
  }
}

// The extensions block: each extension's type and data, to `each`. False when the lengths do not add up.
template <class Each>
bool read_extensions(ByteReader& r, std::uint16_t& count, Each each) {
  if (r.remaining() == 0) return true;  // before TLS 1.3 the block may be left out entirely
  ByteReader block(r.take(r.be16()));
  if (!r.ok()) return false;
  while (block.ok() && block.remaining() > 0) {
    const std::uint16_t type = block.be16();
    const auto data = block.take(block.be16());
    if (!block.ok()) return false;
    ++count;
    each(type, data);
  }
  return block.ok();
}

void read_client_hello(ByteReader& r, TlsHandshakeMessage& m) {
  TlsClientHello hello;
  hello.legacy_version = r.be16();
  r.skip(32);           // random
  r.take(r.u8());       // legacy_session_id
  ByteReader suites(r.take(r.be16()));
  while (suites.ok() && suites.remaining() >= 2) {
    const std::uint16_t suite = suites.be16();
    if (is_grease(suite)) continue;
    if (hello.cipher_suite_count < hello.cipher_suites.size()) hello.cipher_suites[hello.cipher_suite_count] = suite;
    ++hello.cipher_suite_count;
  }
  r.take(r.u8());       // legacy_compression_methods
  if (!r.ok()) {
    m.error = "a ClientHello shorter than its fields";
    return;
  }
  const bool whole = read_extensions(r, hello.extension_count, [&](std::uint16_t type, std::span<const std::uint8_t> data) {
    switch (type) {
      case ext::server_name: read_server_name(data, hello); break;
      case ext::alpn:
        read_alpn(data, [&](std::string_view name) {
          if (hello.alpn_count < hello.alpn.size()) hello.alpn[hello.alpn_count] = name;
          if (hello.alpn_count < 255) ++hello.alpn_count;
        });
        break;
      case ext::supported_versions: {
        ByteReader v(data);
        ByteReader list(v.take(v.u8()));
        while (list.ok() && list.remaining() >= 2) {
          const std::uint16_t version = list.be16();
          if (is_grease(version)) continue;
          if (hello.supported_version_count < hello.supported_versions.size())
            hello.supported_versions[hello.supported_version_count++] = version;
        }
        break;
      }
      case ext::key_share: hello.has_key_share = true; break;
      case ext::session_ticket:
        if (!data.empty()) hello.has_session_ticket = true;  // an empty one only says "I support tickets"
        break;
      case ext::pre_shared_key: hello.has_session_ticket = true; break;
      default: break;
    }
  });
  if (!whole) m.error = "a ClientHello whose extensions overrun it";
  m.client_hello = hello;
}

void read_server_hello(ByteReader& r, TlsHandshakeMessage& m) {
  TlsServerHello hello;
  hello.legacy_version = r.be16();
  const auto random = r.take(32);
  hello.hello_retry_request = r.ok() && std::equal(random.begin(), random.end(), hello_retry_random.begin());
  r.take(r.u8());  // legacy_session_id_echo
  hello.cipher_suite = r.be16();
  r.u8();          // legacy_compression_method
  if (!r.ok()) {
    m.error = "a ServerHello shorter than its fields";
    return;
  }
  const bool whole = read_extensions(r, hello.extension_count, [&](std::uint16_t type, std::span<const std::uint8_t> data) {
    if (type == ext::supported_versions && data.size() == 2) hello.selected_version = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    if (type == ext::alpn) read_alpn(data, [&](std::string_view name) { if (hello.alpn.empty()) hello.alpn = name; });
  });
  if (!whole) m.error = "a ServerHello whose extensions overrun it";
  m.server_hello = hello;
}

}  // namespace

std::optional<TlsRecordHeader> read_tls_record_header(std::span<const std::uint8_t> bytes) {
  ByteReader r(bytes);
  TlsRecordHeader h;
  h.content_type = r.u8();
  h.version = r.be16();
  h.length = r.be16();
  if (!r.ok()) return std::nullopt;
  if (h.content_type < tls_content::change_cipher_spec || h.content_type > tls_content::heartbeat) return std::nullopt;
  if ((h.version >> 8) != 3 || (h.version & 0xFF) > 4) return std::nullopt;
  if (h.length > tls_max_record_length) return std::nullopt;
  return h;
}

const char* tls_content_type_name(std::uint8_t type) {
  switch (type) {
    case tls_content::change_cipher_spec: return "change_cipher_spec";
    case tls_content::alert: return "alert";
    case tls_content::handshake: return "handshake";
    case tls_content::application_data: return "application_data";
    case tls_content::heartbeat: return "heartbeat";
    default: return nullptr;
  }
}

const char* tls_handshake_type_name(std::uint8_t type) {
  namespace t = tls_handshake_type;
  switch (type) {
    case t::client_hello: return "ClientHello";
    case t::server_hello: return "ServerHello";
    case t::new_session_ticket: return "NewSessionTicket";
    case t::end_of_early_data: return "EndOfEarlyData";
    case t::encrypted_extensions: return "EncryptedExtensions";
    case t::certificate: return "Certificate";
    case t::server_key_exchange: return "ServerKeyExchange";
    case t::certificate_request: return "CertificateRequest";
    case t::server_hello_done: return "ServerHelloDone";
    case t::certificate_verify: return "CertificateVerify";
    case t::client_key_exchange: return "ClientKeyExchange";
    case t::finished: return "Finished";
    case t::key_update: return "KeyUpdate";
    case t::message_hash: return "message_hash";
    default: return nullptr;
  }
}

const char* tls_version_name(std::uint16_t version) {
  switch (version) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return nullptr;
  }
}

const char* tls_cipher_suite_name(std::uint16_t suite) {
  switch (suite) {
    case 0x1301: return "TLS_AES_128_GCM_SHA256";
    case 0x1302: return "TLS_AES_256_GCM_SHA384";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256";
    case 0x1304: return "TLS_AES_128_CCM_SHA256";
    case 0x1305: return "TLS_AES_128_CCM_8_SHA256";
    case 0xC02B: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xC02C: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xC02F: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    case 0xC030: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
    case 0xCCA8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xCCA9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0x009C: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009D: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x002F: return "TLS_RSA_WITH_AES_128_CBC_SHA";
    case 0x0035: return "TLS_RSA_WITH_AES_256_CBC_SHA";
    case 0x00FF: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    default: return nullptr;
  }
}

const char* tls_alert_name(std::uint8_t description) {
  switch (description) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return nullptr;
  }
}

TlsHandshakeMessage parse_tls_handshake(std::span<const std::uint8_t> bytes) {
  TlsHandshakeMessage m;
  ByteReader r(bytes);
  m.type = r.u8();
  m.length = (std::uint32_t{r.u8()} << 16) | (std::uint32_t{r.u8()} << 8) | r.u8();
  ByteReader body(r.take(m.length));
  if (!r.ok()) {
    m.error = "a handshake message longer than its bytes";
    return m;
  }
  if (m.type == tls_handshake_type::client_hello) read_client_hello(body, m);
  else if (m.type == tls_handshake_type::server_hello) read_server_hello(body, m);
  return m;
}

}  // namespace lab::decode
