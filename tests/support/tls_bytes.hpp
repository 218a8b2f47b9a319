#pragma once
// TLS messages built byte by byte for the tests (decode and flow), so that each field's place is visible.
#include <cstdint>
#include <string>
#include <vector>

namespace lab::test::tls {

using Bytes = std::vector<std::uint8_t>;

inline void put8(Bytes& b, unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
inline void put16(Bytes& b, unsigned v) { put8(b, v >> 8); put8(b, v & 0xFF); }
inline void put24(Bytes& b, unsigned v) { put8(b, v >> 16); put16(b, v & 0xFFFF); }
inline void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }
// A vector of `body` preceded by its length in `width` bytes.
inline Bytes with_length(int width, const Bytes& body) {
  Bytes b;
  if (width == 1) put8(b, static_cast<unsigned>(body.size()));
  else if (width == 2) put16(b, static_cast<unsigned>(body.size()));
  else put24(b, static_cast<unsigned>(body.size()));
  append(b, body);
  return b;
}
inline Bytes extension(unsigned type, const Bytes& data) {
  Bytes b;
  put16(b, type);
  append(b, with_length(2, data));
  return b;
}

// A TLS 1.3 ClientHello as curl would send one, reduced: SNI, ALPN h2 and http/1.1, supported_versions 1.3 and 1.2,
// a key share, three suites.
inline Bytes client_hello_message() {
  Bytes body;
  put16(body, 0x0303);
  append(body, Bytes(32, 0xAB));               // random
  append(body, with_length(1, Bytes(32, 7)));  // legacy_session_id
  Bytes suites;
  for (unsigned s : {0x1302u, 0x1301u, 0xC02Fu}) put16(suites, s);
  append(body, with_length(2, suites));
  append(body, with_length(1, Bytes{0}));      // compression: null
  Bytes extensions;
  Bytes name;
  put8(name, 0);
  append(name, with_length(2, Bytes{'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'o', 'r', 'g'}));
  append(extensions, extension(0, with_length(2, name)));
  Bytes alpn;
  append(alpn, with_length(1, Bytes{'h', '2'}));
  const std::string http11 = "http/1.1";
  append(alpn, with_length(1, Bytes(http11.begin(), http11.end())));
  append(extensions, extension(16, with_length(2, alpn)));
  Bytes versions;
  put16(versions, 0x0304);
  put16(versions, 0x0303);
  append(extensions, extension(43, with_length(1, versions)));
  Bytes share;
  put16(share, 0x001D);
  append(share, with_length(2, Bytes(32, 1)));
  append(extensions, extension(51, with_length(2, share)));
  append(body, with_length(2, extensions));
  Bytes message;
  put8(message, 1);
  append(message, with_length(3, body));
  return message;
}

inline Bytes server_hello_message(unsigned version_extension, bool retry = false) {
  Bytes body;
  put16(body, 0x0303);
  if (retry) {
    const Bytes hrr = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
                       0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};
    append(body, hrr);
  } else {
    append(body, Bytes(32, 0x11));
  }
  append(body, with_length(1, Bytes(32, 7)));
  put16(body, 0x1302);
  put8(body, 0);
  Bytes extensions;
  if (version_extension) {
    Bytes v;
    put16(v, version_extension);
    append(extensions, extension(43, v));
  }
  append(body, with_length(2, extensions));
  Bytes message;
  put8(message, 2);
  append(message, with_length(3, body));
  return message;
}


// A record of `type` around `body`, with the record version a TLS 1.2 or 1.3 peer sends.
inline Bytes record(unsigned type, const Bytes& body, unsigned version = 0x0303) {
  Bytes b;
  put8(b, type);
  put16(b, version);
  append(b, with_length(2, body));
  return b;
}

}  // namespace lab::test::tls
