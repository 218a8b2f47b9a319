#include "capture/annotate/annotator.hpp"

#include <fmt/format.h>

#include <iterator>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/words.hpp"
#include "capture/render/escape.hpp"

namespace lab::annotate {
namespace {

const char* unreachable_reason(bool v6, std::uint8_t code) {
  if (v6) {
    switch (code) {
      case 0: return "no route to the destination";
      case 1: return "communication with the destination is administratively prohibited (a firewall)";
      case 3: return "the destination address is unreachable";
      case 4: return "nobody listens on the destination port";
      default: return "the destination is unreachable";
    }
  }
  switch (code) {
    case 0: return "the destination network is unreachable";
    case 1: return "the destination host is unreachable";
    case 2: return "the destination host does not speak that protocol";
    case 3: return "nobody listens on the destination port";
    case 4: return "the packet was too big for the next link and had Don't Fragment set";
    case 13: return "a firewall refused it (communication administratively prohibited)";
    default: return "the destination is unreachable";
  }
}

void explain_icmp(const lab::decode::IcmpHeader& icmp, const lab::flow::IcmpObservation& about, std::string& note) {
  auto out = std::back_inserter(note);
  const bool v6 = icmp.v6;
  const char* name = v6 ? "ICMPv6" : "ICMP";
  if ((!v6 && icmp.type == 8) || (v6 && icmp.type == 128)) {
    fmt::format_to(out, "{} echo request (ping), id {} seq {}: \"are you there?\"", name, icmp.identifier, icmp.sequence);
    return;
  }
  if ((!v6 && icmp.type == 0) || (v6 && icmp.type == 129)) {
    fmt::format_to(out, "{} echo reply (pong), id {} seq {}: the answer to the ping with the same id and seq.", name,
                   icmp.identifier, icmp.sequence);
    return;
  }
  if (!icmp.is_error) {
    fmt::format_to(out, "{} message, type {} code {}.", name, icmp.type, icmp.code);
    return;
  }
  const bool unreachable = (!v6 && icmp.type == 3) || (v6 && icmp.type == 1);
  const bool time_exceeded = (!v6 && icmp.type == 11) || (v6 && icmp.type == 3);
  if (unreachable) fmt::format_to(out, "{} destination unreachable: {}.", name, unreachable_reason(v6, icmp.code));
  else if (time_exceeded) fmt::format_to(out, "{} time exceeded: the packet's TTL (hop limit) ran out on the way (traceroute relies on this).", name);
  else fmt::format_to(out, "{} error message, type {} code {}.", name, icmp.type, icmp.code);
  if (about.about) {
    const bool udp = about.about->key.protocol == lab::decode::ip_protocol::udp;
    fmt::format_to(out, " It quotes the start of the {} of ", udp ? "UDP datagram" : "TCP segment");
    if (about.about_packet) fmt::format_to(out, "packet #{}", about.about_packet);
    else note += "a packet";
    fmt::format_to(out, " ({} {} of {} conversation {}), so that the sender knows which packet failed.",
                   lab::flow::role_name(about.about_sender), "side", udp ? "UDP" : "TCP", about.about->stream);
    if (udp && unreachable && icmp.code == (v6 ? 4 : 3))
      note += " Only a connected UDP socket hears of it (its next send or recv fails with \"connection refused\"); "
              "an unconnected one, like the usual sendto() client, never learns: UDP promises nothing.";
  } else if (about.quoted_protocol) {
    fmt::format_to(out, " It quotes the start of the packet that caused it (IP protocol {}), which this capture did not show.",
                   about.quoted_protocol);
  }
}

}  // namespace

void append_payload_quote(std::string& note, const lab::decode::DecodedPacket& packet) {
  note += " \"";
  lab::render::append_escaped_bytes(note, packet.payload);
  note += '"';
  if (packet.payload.size() < packet.payload_len) note += " (only the start was captured)";
}

void explain_decode_error(const lab::decode::DecodeError& error, std::string& note) {
  using lab::decode::ErrorKind;
  auto out = std::back_inserter(note);
  if (!note.empty()) note += ' ';
  const char* layer = lab::decode::layer_name(error.layer);
  switch (error.kind) {
    case ErrorKind::truncated:
      fmt::format_to(out, "The {} header needs {} bytes, only {} were captured: {}.", layer, error.needed, error.present, error.what);
      break;
    case ErrorKind::invalid:
      fmt::format_to(out, "Malformed {} header at byte {}: {}.", layer, error.offset, error.what);
      break;
    case ErrorKind::unsupported:
      fmt::format_to(out, "Not decoded further: {}.", error.what);
      break;
  }
}

void annotate_packet(const PacketContext& context, const AnnotateOptions& options, std::string& note) {
  note.clear();
  const auto& p = context.packet;
  const lab::flow::FragmentReport* fragment = context.fragments;
  if (fragment && fragment->is_fragment) {
    explain_fragment(context, *fragment, note);
  } else if (!fragment && p.is_fragment()) {
    // No reassembly ran (a single packet explained alone): what the header says, nothing more.
    lab::flow::FragmentReport alone;
    alone.is_fragment = true;
    alone.id = p.fragment_id();
    alone.offset = p.fragment_offset_bytes();
    alone.length = p.fragment_data_len;
    alone.more = p.more_fragments();
    explain_fragment(context, alone, note);
  }
  if (context.observation.conversation && !context.observation.delivered) explain_dropped(context, note);
  if (context.observation.conversation && p.tcp) {
    explain_tcp(context, options, note);
  } else if (context.observation.conversation && p.udp) {
    if (!note.empty()) note += ' ';  // after the fragment's or the "dropped by the lab" sentences
    explain_udp(context, note);
  } else if (p.icmp && !p.is_fragment()) {
    if (!note.empty()) note += ' ';  // after the fragment's sentences
    explain_icmp(*p.icmp, context.observation.icmp, note);
  } else if (p.link.protocol == lab::decode::ethertype::arp && !p.has_ip()) {
    explain_arp(context, note);
  } else if (!p.has_ip() && !p.error) {
    fmt::format_to(std::back_inserter(note), "Not an IP packet (link protocol 0x{:04x}).", p.link.protocol);
  }
  explain_arp_destination(context, note);
  if (fragment) explain_given_up(*fragment, note);
  if (p.error) explain_decode_error(*p.error, note);
}

void annotate_app(const lab::timeline::AppEvent& e, std::optional<lab::flow::TcpState> capture_state,
                  std::optional<lab::flow::TcpState> state_after, std::string& note) {
  using lab::timeline::AppCall;
  note.clear();
  auto out = std::back_inserter(note);
  const char* who = lab::flow::role_name(e.actor);
  switch (e.call) {
    case AppCall::listen:
      if (e.tcp) fmt::format_to(out, "The {} listens on {}: the kernel will complete handshakes for it, and accept() hands them over.", who, e.local);
      else fmt::format_to(out, "The {} binds a UDP socket to {} and waits for datagrams: no listen(), no accept().", who, e.local);
      break;
    case AppCall::connect:
      if (e.tcp) fmt::format_to(out, "The {} calls connect() to {}: its kernel starts the three-way handshake.", who, e.peer);
      else fmt::format_to(out, "The {} calls connect() on its UDP socket, to {}: nothing goes on the wire. The socket "
                               "now talks only to that address, and the kernel will report ICMP errors about it to "
                               "this socket.", who, e.peer);
      break;
    case AppCall::connected:
      fmt::format_to(out, "connect() returned: the {} is connected from {}, a port the kernel picked.", who, e.local);
      break;
    case AppCall::accept:
      fmt::format_to(out, "accept() returned a new socket for the client at {}: the handshake was already done by the kernel.", e.peer);
      break;
    case AppCall::send:
      // Through TLS the program hands plaintext to SSL_write(), which sends encrypted records (the detail says how many bytes).
      fmt::format_to(out, "The {} calls {}(", who, e.tls ? "SSL_write" : e.tcp ? "send" : "sendto");
      note += '"';
      lab::render::append_escaped_bytes(note, e.data);
      note += e.data.size() < e.bytes ? "…\"" : "\"";
      fmt::format_to(out, ") — {}{}.", count_words(e.bytes, "byte", "bytes"), e.tls && e.detail.empty() ? " of plaintext" : "");
      if (e.tls && !e.detail.empty()) fmt::format_to(out, " {}.", capitalized(e.detail.c_str()));
      break;
    case AppCall::recv:
      fmt::format_to(out, "{}() returns {}{} to the {}:", e.tls ? "SSL_read" : e.tcp ? "recv" : "recvfrom",
                     count_words(e.bytes, "byte", "bytes"), e.tls && e.detail.empty() ? " of plaintext" : "", who);
      note += " \"";
      lab::render::append_escaped_bytes(note, e.data);
      note += e.data.size() < e.bytes ? "…\" (only the start is shown)." : "\".";
      if (e.tls && !e.detail.empty()) fmt::format_to(out, " {}.", capitalized(e.detail.c_str()));
      break;
    case AppCall::eof:
      if (e.tls)
        fmt::format_to(out, "SSL_read() tells the {} the TLS stream has ended ({}): the other side will send nothing more.", who, e.detail);
      else
        fmt::format_to(out, "recv() returns 0 to the {}: end of file, the other side will send nothing more.", who);
      break;
    case AppCall::shutdown:
      fmt::format_to(out, "The {} calls shutdown(SHUT_WR): a half-close. Its FIN follows, so the other side will read "
                          "end-of-file, yet this socket can still receive: the other side may keep talking.", who);
      break;
    case AppCall::close:
      // The listener: its kernel state says so (a reset connection's socket has lost its peer's address too).
      if (e.tcp && e.peer.empty() && e.actor == lab::flow::Role::server && (e.kernel_state.empty() || e.kernel_state == "LISTEN"))
        fmt::format_to(out, "The {} closes its listening socket: no new connections will be accepted.", who);
      else if (e.tcp && e.detail.find("SO_LINGER") != std::string::npos)
        fmt::format_to(out, "The {} calls close() with SO_LINGER set to 0 s ({}): an abortive close. Its kernel "
                            "sends RST instead of FIN, throws away anything not yet sent, and skips TIME-WAIT.",
                       who, e.detail);
      else if (e.tcp && e.detail.find("unread") != std::string::npos)
        fmt::format_to(out, "The {} calls close() ({}). Closing a socket with data it never read makes the kernel "
                            "send RST rather than FIN (RFC 9293, section 3.6.1; RFC 2525): the peer must learn that its "
                            "data was thrown away, not delivered.",
                       who, e.detail);
      else if (e.tcp && !e.detail.empty()) fmt::format_to(out, "The {} calls close() ({}).", who, e.detail);
      else if (e.tcp) fmt::format_to(out, "The {} calls close().", who);
      else fmt::format_to(out, "The {} calls close(): nothing goes on the wire, since UDP has no connection to end.", who);
      break;
    case AppCall::timeout:
      fmt::format_to(out, "The {} gives up waiting: {}.", who, e.detail);
      break;
    case AppCall::error:
      fmt::format_to(out, "The {}'s call failed: {}.", who, e.detail);
      break;
  }
  if (!e.kernel_state.empty()) {
    fmt::format_to(out, " The kernel reports the socket as {}", e.kernel_state);
    if (capture_state) {
      const char* tracked = lab::flow::tcp_state_name(*capture_state);
      if (e.kernel_state == tracked) fmt::format_to(out, ", as the capture shows.");
      else if (e.kernel_state == "CLOSED" && *capture_state == lab::flow::TcpState::time_wait)
        note += "; the capture shows TIME-WAIT, and both are right: Linux hands a connection in TIME-WAIT to a "
                "small record of its own (`ss -tan` lists it), and the socket the program holds is done.";
      else fmt::format_to(out, "; the capture shows {} so far.", tracked);
    } else {
      note += '.';
    }
  }
  // A close takes effect at the call, before its FIN (or RST) is on the wire.
  if (capture_state && state_after && *capture_state != *state_after) {
    const char* from = lab::flow::tcp_state_name(*capture_state);
    const char* to = lab::flow::tcp_state_name(*state_after);
    if (e.resets)
      fmt::format_to(out, " So the socket goes {} → {} at once (RFC 9293 3.10.5, ABORT).", from, to);
    else
      fmt::format_to(out, " The call itself moves it {} → {} (RFC 9293 3.10.4): its FIN follows as soon as the data queued before it has been sent.",
                     from, to);
  }
}

}  // namespace lab::annotate
