// The throw-away certificate: read back with OpenSSL, as a TLS client would see it.
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tests/support/catch.hpp"
#include "web/self_signed.hpp"

namespace {

struct Parsed {
  std::unique_ptr<X509, decltype(&X509_free)> certificate{nullptr, X509_free};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

Parsed parse(const lab::web::SelfSigned& s) {
  Parsed p;
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new_mem_buf(s.certificate_pem.data(),
                                                                     static_cast<int>(s.certificate_pem.size())),
                                                     BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new_mem_buf(s.key_pem.data(), static_cast<int>(s.key_pem.size())),
                                                    BIO_free);
  p.certificate.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  p.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  return p;
}

}  // namespace

TEST_CASE("self-signed certificate: P-256 key, CN and subjectAltName localhost, 127.0.0.1, ::1, one day") {
  const lab::web::SelfSigned made = lab::web::make_self_signed();
  CHECK(made.key_pem.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CHECK(made.certificate_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  const Parsed p = parse(made);
  REQUIRE(p.certificate);
  REQUIRE(p.key);
  X509* c = p.certificate.get();

  char group[32] = {};
  size_t group_length = 0;
  REQUIRE(EVP_PKEY_get_group_name(p.key.get(), group, sizeof group, &group_length) == 1);
  CHECK(std::string(group) == "prime256v1");
  CHECK(X509_check_private_key(c, p.key.get()) == 1);  // the key is the certificate's
  CHECK(X509_verify(c, p.key.get()) == 1);             // signed by itself
  CHECK(X509_check_issued(c, c) == X509_V_OK);         // issuer = subject

  char cn[64] = {};
  REQUIRE(X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, cn, sizeof cn) > 0);
  CHECK(std::string(cn) == "localhost");
  // The names a client checks, as it would check them (RFC 6125): DNS and both loopback addresses.
  CHECK(X509_check_host(c, "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(c, "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(c, "::1", 0) == 1);
  CHECK(X509_check_host(c, "example.com", 0, 0, nullptr) == 0);

  int days = -1, seconds = -1;
  REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(c), X509_get0_notAfter(c)) == 1);
  CHECK(days == 1);
  CHECK(seconds == 0);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(c)) <= 0);  // valid now
  CHECK(X509_cmp_current_time(X509_get0_notAfter(c)) > 0);
}

TEST_CASE("self-signed certificate: each one is new (another key, another serial)") {
  const lab::web::SelfSigned a = lab::web::make_self_signed();
  const lab::web::SelfSigned b = lab::web::make_self_signed();
  CHECK(a.key_pem != b.key_pem);
  const Parsed pa = parse(a), pb = parse(b);
  REQUIRE(pa.certificate);
  REQUIRE(pb.certificate);
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(pa.certificate.get()), X509_get0_serialNumber(pb.certificate.get())) != 0);
}
