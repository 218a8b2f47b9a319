#pragma once
// `lab https-ping`: the web lab's HTTPS server and client (web/https_ping.hpp) in the echo labs' place, as http-ping
// is (labs/http_lab.hpp): run_echo_lab() with Application::https_ping. What is the HTTPS lab's alone is here: its
// closing tip and its facts in the JSON summary.
#include <optional>
#include <string>

#include "labs/echo_lab.hpp"
#include "labs/exchange.hpp"

namespace lab::labs {

// The closing tip: what TLS settled on, that the certificate was not verified, how the connections closed, and how
// to decrypt the capture with the key log.
std::string https_next_lesson(const EchoLabOptions& options, const std::optional<TlsOutcome>& tls);

// The summary's "tls" field: "\"tls\":{...}" (version, cipher, alpn, certificate_verified, peer_close_notify,
// keylog); "\"tls\":null" when the client never finished a handshake.
std::string https_json_fields(const std::optional<TlsOutcome>& tls);

}  // namespace lab::labs
