#include "labs/https_lab.hpp"

#include <fmt/format.h>

#include "capture/render/escape.hpp"

namespace lab::labs {

std::string https_next_lesson(const EchoLabOptions& o, const std::optional<TlsOutcome>& tls) {
  std::string text;
  if (tls && !tls->version.empty())
    text = fmt::format("TLS settled on {} with {} and ALPN {}. The client did not verify the server's certificate: "
                       "it is a throw-away self-signed one the server made at start-up, which no one could vouch for "
                       "(fine in a lab, never elsewhere). {} ",
                       tls->version, tls->cipher, tls->alpn.empty() ? "none" : tls->alpn,
                       tls->peer_close_notify ? "Each side said goodbye with a TLS close_notify alert before its TCP close."
                                              : "The server's close_notify did not come on every connection.");
  text += "Everything after the handshake is encrypted: the capture shows TLS records, not GET /ping.";
  if (!o.keylog_path.empty() && !o.write_path.empty())
    text += fmt::format("\nDecrypt it with the session keys written to {}:\n  tshark -r {} -o tls.keylog_file:{} -Y http",
                        o.keylog_path, o.write_path, o.keylog_path);
  else
    text += "\nNext: keep the keys and the capture, and let Wireshark decrypt it:\n"
            "  lab https-ping --keylog keys.txt --write https.pcap\n"
            "  tshark -r https.pcap -o tls.keylog_file:keys.txt -Y http";
  return text;
}

std::string https_json_fields(const std::optional<TlsOutcome>& tls) {
  if (!tls || tls->version.empty()) return "\"tls\":null";
  std::string out = "\"tls\":{\"version\":\"";
  lab::render::append_json_text(out, tls->version);
  out += "\",\"cipher\":\"";
  lab::render::append_json_text(out, tls->cipher);
  out += "\",\"alpn\":\"";
  lab::render::append_json_text(out, tls->alpn);
  out += fmt::format("\",\"certificate_verified\":{},\"certificate\":\"self-signed, throw-away, not verified\","
                     "\"peer_close_notify\":{},\"keylog\":",
                     tls->certificate_verified, tls->peer_close_notify);
  if (tls->keylog_path.empty()) {
    out += "null";
  } else {
    out += '"';
    lab::render::append_json_text(out, tls->keylog_path);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace lab::labs
