#include "web/tls_stream.hpp"

#include <fmt/format.h>

#include "echo/asio_compat.hpp"
#include "echo/awaitables.hpp"

namespace lab::web {

std::size_t tls_record_bytes(std::string_view version, std::string_view cipher, std::size_t plaintext) {
  constexpr std::size_t max_fragment = 16384;  // RFC 8446 §5.1, RFC 5246 §6.2.1
  const std::size_t records = plaintext == 0 ? 1 : (plaintext + max_fragment - 1) / max_fragment;
  const std::size_t tag = cipher.find("CCM_8") != std::string_view::npos ? 8 : 16;
  std::size_t per_record = 0;
  if (version == "TLSv1.3") per_record = 5 + 1 + tag;
  else if (version == "TLSv1.2" && (cipher.find("_GCM_") != std::string_view::npos ||
                                    cipher.find("_CCM") != std::string_view::npos))
    per_record = 5 + 8 + tag;
  else if (version == "TLSv1.2" && cipher.find("CHACHA20_POLY1305") != std::string_view::npos) per_record = 5 + 16;
  else return 0;
  return plaintext + records * per_record;
}

std::string handshake_words(const TlsFacts& facts, std::chrono::steady_clock::duration took) {
  const double ms = std::chrono::duration<double, std::milli>(took).count();
  return fmt::format("TLS handshake done in {:.1f} ms: {}, {}, ALPN {}", ms, facts.version, facts.cipher,
                     facts.alpn.empty() ? "none" : facts.alpn);
}

std::string sent_words(const TlsFacts& facts, std::size_t plaintext) {
  const std::size_t records = tls_record_bytes(facts.version, facts.cipher, plaintext);
  if (records == 0) return fmt::format("{} bytes of plaintext for TLS to encrypt", plaintext);
  return fmt::format("{} bytes of plaintext, sent by TLS as {} bytes of encrypted records ({} of overhead)",
                     plaintext, records, records - plaintext);
}

std::string received_words(std::size_t plaintext, std::uint64_t record_bytes) {
  return fmt::format("{} bytes of plaintext, decrypted from {} bytes of TLS records read from the socket", plaintext,
                     record_bytes);
}

asio::awaitable<bool> close_tls(TlsStream& stream, const lab::echo::EventReporter& report,
                                std::chrono::milliseconds timeout, bool peer_notified, TlsEnding ending) {
  // Part 4 (--ending) plugs in here: each other ending skips or changes the close_notify exchange below.
  (void)ending;
  auto& socket = stream.next_layer();
  bool came = peer_notified;
  std::string how;
  if (socket.is_open()) {
    // async_shutdown sends close_notify, then reads until the peer's (at once when it already came).
    auto done = co_await lab::echo::before_deadline(std::chrono::steady_clock::now() + timeout,
                                                    stream.async_shutdown(lab::echo::use_nothrow_awaitable));
    if (done && !std::get<0>(*done)) came = true;
    how = came ? "after SSL_shutdown(): our close_notify sent, the peer's came"
          : done ? "after SSL_shutdown(): our close_notify sent; the peer closed without its own (" +
                       std::get<0>(*done).message() + ")"
                 : "after SSL_shutdown(): our close_notify sent; the peer's did not come within " +
                       std::to_string(timeout.count()) + " ms";
  }
  if (!socket.is_open()) co_return came;  // stop() closed it meanwhile
  asio::error_code ignored;
  const std::size_t unread = socket.available(ignored);
  if (unread > 0) how += "; closing with " + std::to_string(unread) + " unread bytes in the receive buffer";
  lab::echo::report_and_close(report, socket, lab::echo::EventDetails{.detail = how, .resets = unread > 0});
  co_return came;
}

}  // namespace lab::web
