// Explains one UDP datagram: its whole 8-byte header, the data, and what UDP does not do.
#include <fmt/format.h>

#include <iterator>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/words.hpp"
#include "capture/decode/checksum.hpp"

namespace lab::annotate {
namespace {

const char* checksum_words(lab::decode::ChecksumStatus status) {
  using lab::decode::ChecksumStatus;
  switch (status) {
    case ChecksumStatus::good: return "correct";
    case ChecksumStatus::bad:
      return "not valid as captured: Linux leaves checksums to the network card, which fills them in on the way "
             "out (checksum offload); on loopback the bytes never leave memory, so nobody ever does";
    case ChecksumStatus::absent: return "0: the sender chose not to compute one (allowed over IPv4)";
    case ChecksumStatus::unknown: break;
  }
  return "not checked: the datagram was not captured whole";
}

const char* checksum_short(lab::decode::ChecksumStatus status) {
  using lab::decode::ChecksumStatus;
  switch (status) {
    case ChecksumStatus::good: return "correct";
    case ChecksumStatus::bad: return "not valid as captured: checksum offload";
    case ChecksumStatus::absent: return "none";
    case ChecksumStatus::unknown: break;
  }
  return "not checked";
}

}  // namespace

void explain_udp(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  const auto& h = *p.udp;
  const auto& o = context.observation;
  const char* sender = lab::flow::role_name(o.from);
  const char* receiver = lab::flow::role_name(lab::flow::other(o.from));
  auto out = std::back_inserter(note);

  if (o.udp.echoes_previous) {
    fmt::format_to(out, "The {} sends the same {} straight back, {} after packet #{} arrived: the echo.", sender,
                   count_words(p.payload_len, "byte", "bytes"), duration_words(o.udp.echo_delay_ns), o.udp.echoed_packet);
    fmt::format_to(out, " It needs no connection either: the reply goes to the address and port the datagram came from.");
  } else {
    fmt::format_to(out, "A UDP datagram from the {} to the {}, carrying {}:", sender, receiver,
                   count_words(p.payload_len, "byte", "bytes"));
    append_payload_quote(note, p);
    note += '.';
  }
  if (o.first_of_conversation) {
    fmt::format_to(out, " Its whole UDP header is 8 bytes: source port {}, destination port {}, length {} (8 of header + {} of data), checksum 0x{:04x} — {}.",
                   h.src_port, h.dst_port, h.length, p.payload_len, h.checksum, checksum_words(lab::decode::transport_checksum(p)));
  } else {
    fmt::format_to(out, " UDP header: ports {} → {}, length {}, checksum 0x{:04x} ({}).", h.src_port, h.dst_port, h.length,
                   h.checksum, checksum_short(lab::decode::transport_checksum(p)));
  }
  if (o.first_of_conversation) {
    fmt::format_to(out, " There was no handshake: UDP just sends. Nothing will acknowledge this datagram, and if it is lost nobody resends it; there will be no teardown either.");
  } else {
    fmt::format_to(out, " No acknowledgement, no sequence number: each datagram stands alone.");
  }
}

}  // namespace lab::annotate
