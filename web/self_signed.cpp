// OpenSSL 3's EVP and X509 APIs, each object owned by a unique_ptr, so that every failure path frees what was made.
#include "web/self_signed.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace lab::web {
namespace {

template <class T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION, X509_EXTENSION_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;

[[noreturn]] void fail(const char* what) {
  char reason[256] = "unknown reason";
  if (const unsigned long code = ERR_get_error(); code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  throw std::runtime_error(std::string("cannot make the throw-away certificate: ") + what + ": " + reason);
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

std::string pem_of(const Bio& bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

void add_extension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);  // self-signed: issuer = subject
  Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  check(extension != nullptr, "an X.509 extension");
  check(X509_add_ext(certificate, extension.get(), -1) == 1, "adding an X.509 extension");
}

}  // namespace

SelfSigned make_self_signed(const std::string& common_name) {
  // P-256: what TLS 1.3 and 1.2 servers most often use, and quick to make (an RSA key takes far longer).
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "an EC P-256 key");

  Certificate certificate(X509_new());
  check(certificate != nullptr, "an X509 object");
  X509* c = certificate.get();
  check(X509_set_version(c, X509_VERSION_3) == 1, "the version");
  // A random serial, as RFC 5280 §4.1.2.2 asks of a certificate's issuer: 64 bits, kept positive.
  unsigned char serial[8];
  check(RAND_bytes(serial, sizeof serial) == 1, "a serial number");
  serial[0] &= 0x7F;
  std::unique_ptr<BIGNUM, Freer<BIGNUM, BN_free>> serial_number(BN_bin2bn(serial, sizeof serial, nullptr));
  check(serial_number && BN_to_ASN1_INTEGER(serial_number.get(), X509_get_serialNumber(c)) != nullptr, "a serial number");
  check(X509_gmtime_adj(X509_getm_notBefore(c), 0) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(c), 24L * 60 * 60) != nullptr, "notAfter");  // one day: throw-away
  check(X509_set_pubkey(c, key.get()) == 1, "the public key");
  X509_NAME* name = X509_get_subject_name(c);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                   -1, -1, 0) == 1,
        "the common name");
  check(X509_set_issuer_name(c, name) == 1, "the issuer");  // self-signed
  // Clients match the name in subjectAltName, not in CN (RFC 6125 §6.4.4): both names a student may type, and ::1.
  add_extension(c, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_extension(c, NID_basic_constraints, "critical,CA:FALSE");
  check(X509_sign(c, key.get(), EVP_sha256()) > 0, "signing");

  Bio key_bio(BIO_new(BIO_s_mem()));
  Bio certificate_bio(BIO_new(BIO_s_mem()));
  check(key_bio && certificate_bio, "a memory BIO");
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "the key's PEM");
  check(PEM_write_bio_X509(certificate_bio.get(), c) == 1, "the certificate's PEM");
  return {pem_of(key_bio), pem_of(certificate_bio)};
}

}  // namespace lab::web
