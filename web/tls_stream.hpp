#pragma once
// What the HTTPS server and client share about a TLS stream: how its calls are reported, and how it is closed.
//
// Why the send and recv events carry plaintext: the application calls SSL_write()/SSL_read() with plaintext, and
// that is what it knows; the capture shows only TLS records, ciphertext. Each event's `detail` joins the two ("80
// bytes of plaintext, sent as 102 bytes of TLS records"), so that a student sees what TLS adds to every message
// (the record header, the AEAD tag, in TLS 1.3 the inner content type), which neither side alone shows.
// The handshake is no call of the application's own, and the timeline has no event kind for it: its start goes on
// the `detail` of the connected (client) or accept (server) event, its end on the first send or recv after it
// (version, cipher suite, ALPN, how long it took).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>

#include "echo/event_reporter.hpp"
#include "web/tls_context.hpp"

namespace lab::web {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// The bytes of TLS records that carry `plaintext` bytes of application data, for a version ("TLSv1.3") and a cipher
// suite (IANA name): per record of at most 16,384 bytes, the 5-byte header, then in TLS 1.3 the inner content type
// (1 byte) and the AEAD tag (RFC 8446 §5.2), in TLS 1.2 GCM's 8-byte explicit nonce and its tag (RFC 5288 §3),
// or ChaCha20-Poly1305's tag alone (RFC 7905). 0 when the cipher suite is none of these.
std::size_t tls_record_bytes(std::string_view version, std::string_view cipher, std::size_t plaintext);

// "TLS handshake done in 1.2 ms: TLSv1.3, TLS_AES_256_GCM_SHA384, ALPN http/1.1".
std::string handshake_words(const TlsFacts& facts, std::chrono::steady_clock::duration took);

// A send event's detail: the plaintext and the records it becomes.
std::string sent_words(const TlsFacts& facts, std::size_t plaintext);
// A recv event's detail: the plaintext and the records TLS read from the socket for it (measured).
std::string received_words(std::size_t plaintext, std::uint64_t record_bytes);

// How a TLS connection ends. Today there is one way; part 4 of issue 11 adds others (--ending: a close with bytes
// unread, SO_LINGER 0, no close_notify), each chosen here, in close_tls(), and nowhere else.
enum class TlsEnding { close_notify_then_close };

// Ends the connection: SSL_shutdown() sends our close_notify alert and waits (at most `timeout`) for the peer's,
// unless `peer_notified` (it came already); then close(). The close event's detail says which close_notify went
// and came. Returns whether the peer's close_notify came.
asio::awaitable<bool> close_tls(TlsStream& stream, const lab::echo::EventReporter& report,
                                std::chrono::milliseconds timeout, bool peer_notified,
                                TlsEnding ending = TlsEnding::close_notify_then_close);

}  // namespace lab::web
