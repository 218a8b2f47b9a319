#pragma once
// The HTTPS lab's TLS settings, made into Asio SSL contexts: the versions, the throw-away certificate, ALPN and the
// key log. Only web/ (and the lab's exchange) include Asio's SSL layer.
#include <memory>
#include <string>

#include <asio/ssl/context.hpp>

namespace lab::web {

enum class TlsVersion { tls1_2, tls1_3 };
const char* tls_version_name(TlsVersion version);  // "1.2", "1.3": the --tls word

// A file receiving session secrets in the SSLKEYLOGFILE format ("CLIENT_RANDOM <random> <secret>" for TLS 1.2,
// "CLIENT_HANDSHAKE_TRAFFIC_SECRET ..." and four more for TLS 1.3), one line per secret, appended: what Wireshark
// reads to decrypt a capture. Created 0600, as it holds keys.
class KeyLog {
 public:
  explicit KeyLog(const std::string& path);  // throws std::system_error, saying the path, when it cannot be opened
  ~KeyLog();
  KeyLog(const KeyLog&) = delete;
  KeyLog& operator=(const KeyLog&) = delete;
  void append(const char* line);  // one line, its newline added; one write(), so that lines never interleave
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// The server's context: TLS 1.2 and 1.3 both accepted, the throw-away certificate (web/self_signed.hpp), ALPN
// "http/1.1". `key_log` may be null; else it must outlive the context.
asio::ssl::context make_server_context(KeyLog* key_log);

// The client's context: exactly `version` (min and max), ALPN "http/1.1", and no verification of the server's
// certificate: the lab's server makes a throw-away one that nothing could verify. Fine in a lab, never elsewhere.
asio::ssl::context make_client_context(TlsVersion version, KeyLog* key_log);

// What a TLS connection settled on, for the events and the summary. Empty strings before the handshake.
struct TlsFacts {
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384" (the IANA name)
  std::string alpn;     // "http/1.1", empty when none was agreed
};
TlsFacts tls_facts(const void* ssl);  // an SSL*, as native_handle() gives it (void*: no OpenSSL in this header)

// Bytes the TLS layer has written to / read from the socket so far (its records, ciphertext), from OpenSSL's own
// counters on the connection's BIO: what the capture shows, beside the plaintext the application handed it.
std::uint64_t tls_bytes_written(const void* ssl);
std::uint64_t tls_bytes_read(const void* ssl);

}  // namespace lab::web
