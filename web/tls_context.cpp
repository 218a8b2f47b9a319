#include "web/tls_context.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <openssl/ssl.h>

#include "web/self_signed.hpp"

namespace lab::web {
namespace {

// ALPN's wire form (RFC 7301 §3.1): each protocol name after its length byte.
constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Where a context's KeyLog is kept: an ex_data index of our own (Asio uses the context's app data itself).
int key_log_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

void log_key(const SSL* ssl, const char* line) {
  auto* log = static_cast<KeyLog*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), key_log_index()));
  if (log) log->append(line);
}

void attach(asio::ssl::context& context, KeyLog* key_log) {
  if (!key_log) return;
  SSL_CTX_set_ex_data(context.native_handle(), key_log_index(), key_log);
  SSL_CTX_set_keylog_callback(context.native_handle(), log_key);
}

int select_http11(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                  unsigned int in_length, void*) {
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_length, alpn_http11, sizeof alpn_http11, in, in_length) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // the client offered no http/1.1: go on without ALPN, as servers usually do
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

const BIO* bio_of(const void* ssl, bool write) {
  const SSL* s = static_cast<const SSL*>(ssl);
  return s ? (write ? SSL_get_wbio(s) : SSL_get_rbio(s)) : nullptr;
}

}  // namespace

const char* tls_version_name(TlsVersion version) { return version == TlsVersion::tls1_2 ? "1.2" : "1.3"; }

KeyLog::KeyLog(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open the key log " + path);
}

KeyLog::~KeyLog() {
  if (fd_ >= 0) ::close(fd_);
}

void KeyLog::append(const char* line) {
  std::string text(line);
  text += '\n';
  // A failed write loses a secret, and only Wireshark's decryption suffers: the lab itself goes on.
  [[maybe_unused]] const ssize_t written = ::write(fd_, text.data(), text.size());
}

asio::ssl::context make_server_context(KeyLog* key_log) {
  asio::ssl::context context(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_3_VERSION);
  const SelfSigned identity = make_self_signed();
  context.use_certificate(asio::buffer(identity.certificate_pem), asio::ssl::context::pem);
  context.use_private_key(asio::buffer(identity.key_pem), asio::ssl::context::pem);
  SSL_CTX_set_alpn_select_cb(context.native_handle(), select_http11, nullptr);
  attach(context, key_log);
  return context;
}

asio::ssl::context make_client_context(TlsVersion version, KeyLog* key_log) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  const int v = version == TlsVersion::tls1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(context.native_handle(), v);
  SSL_CTX_set_max_proto_version(context.native_handle(), v);
  // No verification: the lab's server shows a throw-away self-signed certificate that no CA vouches for. A real
  // client must verify (verify_peer, and the host name): the lab says in its output that this one did not.
  context.set_verify_mode(asio::ssl::verify_none);
  SSL_CTX_set_alpn_protos(context.native_handle(), alpn_http11, sizeof alpn_http11);
  attach(context, key_log);
  return context;
}

TlsFacts tls_facts(const void* ssl) {
  const SSL* s = static_cast<const SSL*>(ssl);
  TlsFacts facts;
  if (!s) return facts;
  facts.version = SSL_get_version(s);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(s)) facts.cipher = SSL_CIPHER_standard_name(cipher);
  const unsigned char* alpn = nullptr;
  unsigned int alpn_length = 0;
  SSL_get0_alpn_selected(s, &alpn, &alpn_length);
  if (alpn) facts.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
  return facts;
}

std::uint64_t tls_bytes_written(const void* ssl) {
  const BIO* bio = bio_of(ssl, true);
  return bio ? BIO_number_written(const_cast<BIO*>(bio)) : 0;
}

std::uint64_t tls_bytes_read(const void* ssl) {
  const BIO* bio = bio_of(ssl, false);
  return bio ? BIO_number_read(const_cast<BIO*>(bio)) : 0;
}

}  // namespace lab::web
