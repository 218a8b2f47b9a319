// The TLS record header and the hellos (RFC 8446 4.1.2, 4.1.3; RFC 6066; RFC 7301), built here byte by byte so that
// each field's place is visible, then cut at every length: a cut message is an error, never a read past its end.
#include "capture/decode/tls.hpp"

#include <string>
#include <vector>

#include "tests/support/catch.hpp"
#include "tests/support/tls_bytes.hpp"

using namespace lab::decode;

using lab::test::tls::Bytes;
using lab::test::tls::client_hello_message;
using lab::test::tls::server_hello_message;

TEST_CASE("tls: a record header is read only where it could be one") {
  CHECK(read_tls_record_header(Bytes{0x16, 0x03, 0x01, 0x00, 0xF4}).has_value());
  const auto h = read_tls_record_header(Bytes{0x17, 0x03, 0x03, 0x40, 0x11, 0xFF});
  REQUIRE(h);
  CHECK(h->content_type == tls_content::application_data);
  CHECK(h->version == 0x0303);
  CHECK(h->length == 0x4011);
  CHECK_FALSE(read_tls_record_header(Bytes{0x16, 0x03, 0x01, 0x00}));        // cut
  CHECK_FALSE(read_tls_record_header(Bytes{0x19, 0x03, 0x01, 0x00, 0x10}));  // no such type
  CHECK_FALSE(read_tls_record_header(Bytes{0x16, 0x02, 0x01, 0x00, 0x10}));  // not 3.x
  CHECK_FALSE(read_tls_record_header(Bytes{0x16, 0x03, 0x05, 0x00, 0x10}));  // 3.5
  CHECK_FALSE(read_tls_record_header(Bytes{0x17, 0x03, 0x03, 0x48, 0x01}));  // longer than TLS allows
  CHECK_FALSE(read_tls_record_header(Bytes{'G', 'E', 'T', ' ', '/'}));
}

TEST_CASE("tls: a ClientHello, field by field") {
  const auto m = parse_tls_handshake(client_hello_message());
  CHECK(m.type == tls_handshake_type::client_hello);
  CHECK(m.error.empty());
  REQUIRE(m.client_hello);
  const auto& c = *m.client_hello;
  CHECK(c.legacy_version == 0x0303);
  CHECK(c.cipher_suite_count == 3);
  CHECK(c.cipher_suites[0] == 0x1302);
  CHECK(c.server_name == "example.org");
  REQUIRE(c.alpn_count == 2);
  CHECK(c.alpn[0] == "h2");
  CHECK(c.alpn[1] == "http/1.1");
  REQUIRE(c.supported_version_count == 2);
  CHECK(c.supported_versions[0] == 0x0304);
  CHECK(c.has_key_share);
  CHECK_FALSE(c.has_session_ticket);
  CHECK(c.extension_count == 4);
}

TEST_CASE("tls: a ServerHello: the version from supported_versions, or the legacy field; a HelloRetryRequest") {
  const auto v13 = parse_tls_handshake(server_hello_message(0x0304));
  REQUIRE(v13.server_hello);
  CHECK(v13.server_hello->version() == 0x0304);
  CHECK(v13.server_hello->cipher_suite == 0x1302);
  CHECK_FALSE(v13.server_hello->hello_retry_request);
  const auto v12 = parse_tls_handshake(server_hello_message(0));
  REQUIRE(v12.server_hello);
  CHECK(v12.server_hello->version() == 0x0303);
  const auto retry = parse_tls_handshake(server_hello_message(0x0304, true));
  REQUIRE(retry.server_hello);
  CHECK(retry.server_hello->hello_retry_request);
}

TEST_CASE("tls: a hello cut at every length, or with lengths that lie, is an error, not an overread") {
  for (const Bytes& whole : {client_hello_message(), server_hello_message(0x0304)}) {
    for (std::size_t n = 0; n < whole.size(); ++n) {
      const Bytes cut(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(n));
      const auto m = parse_tls_handshake(cut);
      INFO("cut at " << n);
      CHECK_FALSE(m.error.empty());
    }
    // The handshake length says less than the hello needs: the body ends early, inside its fields.
    for (std::size_t shorter = 1; shorter < whole.size() - 4; shorter += 13) {
      Bytes lying = whole;
      const std::size_t length = whole.size() - 4 - shorter;
      lying[1] = static_cast<std::uint8_t>(length >> 16);
      lying[2] = static_cast<std::uint8_t>(length >> 8);
      lying[3] = static_cast<std::uint8_t>(length);
      const auto m = parse_tls_handshake(lying);
      INFO("length " << length);
      CHECK_FALSE(m.error.empty());
    }
  }
}

TEST_CASE("tls: the names of versions, suites, types and alerts") {
  CHECK(std::string(tls_version_name(0x0304)) == "TLS 1.3");
  CHECK(tls_version_name(0x0305) == nullptr);
  CHECK(std::string(tls_cipher_suite_name(0x1301)) == "TLS_AES_128_GCM_SHA256");
  CHECK(std::string(tls_handshake_type_name(11)) == "Certificate");
  CHECK(std::string(tls_content_type_name(23)) == "application_data");
  CHECK(std::string(tls_alert_name(0)) == "close_notify");
  CHECK(tls_alert_name(255) == nullptr);
}
