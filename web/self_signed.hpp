#pragma once
// A throw-away certificate for the HTTPS lab, made in memory at start-up and never written to disk: an EC P-256
// key and a self-signed X.509 certificate for "localhost" (subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1),
// valid for one day. Nobody can verify it (no CA signed it): the lab's client does not try, and says so.
#include <string>

namespace lab::web {

struct SelfSigned {
  std::string key_pem;          // "-----BEGIN PRIVATE KEY-----..." (PKCS#8)
  std::string certificate_pem;  // "-----BEGIN CERTIFICATE-----..."
};

// Throws std::runtime_error (with OpenSSL's reason) if OpenSSL cannot make one: out of memory, a broken library.
SelfSigned make_self_signed(const std::string& common_name = "localhost");

}  // namespace lab::web
