#pragma once
// The HTTPS lab's programs: http_ping.hpp's server and client over TLS (OpenSSL through Asio's SSL layer). They
// answer and send the same bytes (web/http_messages.hpp) and report the same TCP-level events; the send and recv
// events carry the plaintext the application handed TLS or got from it, and their `detail` says how many bytes of
// TLS records that became on the socket, which is what the capture shows (see https_events.hpp for why).
#include <memory>
#include <string>

#include "web/http_ping.hpp"
#include "web/tls_context.hpp"

namespace lab::web {

inline constexpr std::uint16_t default_https_port = 8443;  // the usual port of a development HTTPS server
inline constexpr const char* tls_server_name = "localhost";  // SNI: the name the throw-away certificate carries

struct HttpsServerOptions {
  HttpServerOptions http{};
  std::shared_ptr<KeyLog> key_log{};  // optional: the server's view of the secrets (the same as the client's)
  std::chrono::milliseconds handshake_timeout{3000};
};

// Listens on construction (throws std::system_error when it cannot), makes its throw-away certificate, then serves
// connections as HttpPingServer does, each over TLS: the handshake, requests and answers, and close_notify before
// the TCP close.
class HttpsPingServer {
 public:
  HttpsPingServer(asio::io_context& io, const HttpsServerOptions& options, lab::echo::EchoEventSink sink);
  ~HttpsPingServer();
  HttpsPingServer(const HttpsPingServer&) = delete;
  HttpsPingServer& operator=(const HttpsPingServer&) = delete;

  std::uint16_t port() const;
  void stop();  // stop accepting and close every connection (a close event for each)

  // The last handshake's facts on the server's side (tests check the version on both ends).
  TlsFacts last_tls() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

struct HttpsClientOptions {
  HttpClientOptions http{};  // port: set it (default_http_port is HTTP's)
  TlsVersion version = TlsVersion::tls1_3;
  std::shared_ptr<KeyLog> key_log{};  // optional: --keylog
  std::string server_name = tls_server_name;  // SNI
};

struct HttpsClientResult {
  HttpClientResult http{};
  TlsFacts tls{};                     // of the last connection
  bool certificate_verified = false;  // always false: the lab's client does not verify the throw-away certificate
  bool peer_close_notify = false;     // the server's close_notify came on every connection before it closed
  int close_notifies = 0;             // how many connections got the server's close_notify
};
using HttpsClientDone = std::function<void(const HttpsClientResult&)>;

void start_https_client(asio::io_context& io, const HttpsClientOptions& options, lab::echo::EchoEventSink sink,
                        HttpsClientDone done);

}  // namespace lab::web
