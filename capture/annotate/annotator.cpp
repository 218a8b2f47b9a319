#include "capture/annotate/annotator.hpp"

#include <fmt/format.h>

#include <iterator>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/words.hpp"
#include "capture/render/escape.hpp"

namespace lab::annotate {
namespace {

void explain_icmp(const lab::decode::IcmpHeader& icmp, std::string& note) {
  auto out = std::back_inserter(note);
  const bool v6 = icmp.v6;
  if ((!v6 && icmp.type == 8) || (v6 && icmp.type == 128)) {
    fmt::format_to(out, "ICMP{} echo request (ping), id {} seq {}.", v6 ? "v6" : "", icmp.identifier, icmp.sequence);
  } else if ((!v6 && icmp.type == 0) || (v6 && icmp.type == 129)) {
    fmt::format_to(out, "ICMP{} echo reply (pong), id {} seq {}.", v6 ? "v6" : "", icmp.identifier, icmp.sequence);
  } else if ((!v6 && icmp.type == 3 && icmp.code == 3) || (v6 && icmp.type == 1 && icmp.code == 4)) {
    fmt::format_to(out, "ICMP{} port unreachable: a datagram reached a port where nobody listens, and the host says so.", v6 ? "v6" : "");
  } else if (icmp.is_error) {
    fmt::format_to(out, "ICMP{} error message (type {}, code {}) about an earlier packet, which it quotes.", v6 ? "v6" : "", icmp.type, icmp.code);
  } else {
    fmt::format_to(out, "ICMP{} message type {}, code {}.", v6 ? "v6" : "", icmp.type, icmp.code);
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
  if (context.observation.conversation && p.tcp) {
    explain_tcp(context, options, note);
  } else if (context.observation.conversation && p.udp) {
    explain_udp(context, note);
  } else if (p.icmp) {
    explain_icmp(*p.icmp, note);
  } else if (p.is_later_fragment()) {
    fmt::format_to(std::back_inserter(note), "A later fragment of an IP packet: its transport header travelled in the first fragment.");
  } else if (!p.has_ip() && !p.error) {
    fmt::format_to(std::back_inserter(note), "Not an IP packet (link protocol 0x{:04x}).", p.link.protocol);
  }
  if (p.error) explain_decode_error(*p.error, note);
}

void annotate_app(const lab::timeline::AppEvent& e, const lab::flow::Conversation* conversation, std::string& note) {
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
      fmt::format_to(out, "The {} calls connect() to {}: its kernel starts the three-way handshake.", who, e.peer);
      break;
    case AppCall::connected:
      fmt::format_to(out, "connect() returned: the {} is connected from {}, a port the kernel picked.", who, e.local);
      break;
    case AppCall::accept:
      fmt::format_to(out, "accept() returned a new socket for the client at {}: the handshake was already done by the kernel.", e.peer);
      break;
    case AppCall::send:
      fmt::format_to(out, "The {} calls {}(", who, e.tcp ? "send" : "sendto");
      note += '"';
      lab::render::append_escaped_bytes(note, e.data);
      note += '"';
      fmt::format_to(out, ") — {}.", count_words(e.bytes, "byte", "bytes"));
      break;
    case AppCall::recv:
      fmt::format_to(out, "{}() returns {} to the {}:", e.tcp ? "recv" : "recvfrom", count_words(e.bytes, "byte", "bytes"), who);
      note += " \"";
      lab::render::append_escaped_bytes(note, e.data);
      note += "\".";
      break;
    case AppCall::eof:
      fmt::format_to(out, "recv() returns 0 to the {}: end of file, the other side will send nothing more.", who);
      break;
    case AppCall::close:
      if (e.tcp && e.peer.empty())
        fmt::format_to(out, "The {} closes its listening socket: no new connections will be accepted.", who);
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
    if (conversation) {
      const char* tracked = lab::flow::tcp_state_name(conversation->side(e.actor).state);
      if (e.kernel_state == tracked) fmt::format_to(out, ", as the capture shows.");
      else fmt::format_to(out, "; the capture shows {} so far.", tracked);
    } else {
      note += '.';
    }
  }
}

}  // namespace lab::annotate
