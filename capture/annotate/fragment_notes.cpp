// Explains IP fragments (RFC 791 3.2, RFC 8200 4.5) and the datagram they make once whole. Every fact said here is
// also in the packet's JSON `fragment`, `reassembled` and `fragments_given_up` fields.
#include <fmt/format.h>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"
#include "capture/decode/ip_address.hpp"

namespace lab::annotate {
namespace {

using lab::flow::FragmentProblem;
using lab::flow::FragmentReport;

const char* transport_name(std::uint8_t protocol) {
  switch (protocol) {
    case lab::decode::ip_protocol::tcp: return "TCP";
    case lab::decode::ip_protocol::udp: return "UDP";
    case lab::decode::ip_protocol::icmp: return "ICMP";
    case lab::decode::ip_protocol::icmpv6: return "ICMPv6";
    default: return nullptr;
  }
}

// The transport protocol the fragments' IP headers name (for IPv6, the Fragment header's next header).
std::uint8_t fragment_protocol(const lab::decode::DecodedPacket& p) {
  return p.ipv4 ? p.ipv4->protocol : p.ipv6 ? p.ipv6->fragment_next_header : 0;
}

void explain_problem(const FragmentReport& f, std::string& note) {
  switch (f.problem) {
    case FragmentProblem::none: return;
    case FragmentProblem::duplicate:
      SAY(note, "It repeats packet #{} byte for byte in position: a copy, which the receiver drops while it keeps "
                "collecting the datagram (RFC 5722 section 4).", f.problem_with);
      return;
    case FragmentProblem::overlap:
      SAY(note, "It overlaps packet #{} with different bounds: overlapping fragments are how attacks slip data past "
                "checks, so the receiver discards the whole datagram (RFC 5722; Linux does so for IPv4 too).",
          f.problem_with);
      break;
    case FragmentProblem::inconsistent:
      SAY(note, "It does not fit the datagram's end: it reaches past the end the last fragment set, or is a second "
                "last fragment with another end. The receiver discards the datagram.");
      break;
    case FragmentProblem::too_large:
      SAY(note, "It would make the datagram longer than IP's 16-bit length allows (65,535 bytes): the receiver "
                "discards the datagram.");
      break;
    case FragmentProblem::too_many:
      SAY(note, "The datagram already has {} fragments, the most lab keeps for one datagram: it gives this one up.",
          lab::flow::max_fragments_per_datagram);
      break;
    case FragmentProblem::uneven:
      SAY(note, "More Fragments is set, yet it carries {}, not a positive multiple of 8: every fragment but the last "
                "must, since offsets count 8-byte units. The receiver discards the datagram.",
          count_words(f.length, "byte", "bytes"));
      break;
    case FragmentProblem::not_captured:
      SAY(note, "The capture kept only the start of this fragment (snap length), so lab cannot rebuild the datagram; "
                "the receiver, which had all of it, could.");
      break;
    case FragmentProblem::discarded:
      SAY(note, "Its datagram was already discarded at packet #{}: this piece is thrown away too.", f.problem_with);
      return;
  }
  if (f.discards) SAY(note, "Thrown away: {} of this datagram.", count_words(f.discarded_fragments, "fragment", "fragments"));
}

}  // namespace

void explain_fragment(const PacketContext& context, const FragmentReport& f, std::string& note) {
  const auto& p = context.packet;
  const char* transport = transport_name(fragment_protocol(p));
  const char* header = transport ? transport : "transport";
  if (f.index == 1)
    SAY(note, "IP fragment 1 (counting in order of arrival) of datagram id {}:", f.id);
  else if (f.index != 0)
    SAY(note, "IP fragment {} of datagram id {}:", f.index, f.id);
  else
    SAY(note, "IP fragment of datagram id {}:", f.id);
  if (f.length == 0)
    SAY(note, "no payload bytes, at offset {}", f.offset);
  else
    SAY(note, "bytes {}..{} of its payload", f.offset, f.offset + f.length - 1);
  if (f.more) note += ", More Fragments set: more follow.";
  else fmt::format_to(std::back_inserter(note), ", More Fragments clear: the last piece, so the payload is {} long.",
                      count_words(f.offset + f.length, "byte", "bytes"));
  if (f.index == 1)
    SAY(note, "The sender's IP split a datagram too big for the link into fragments with one identification; the "
              "receiver's IP puts them back together before {} sees any of it.", header);
  if (f.offset == 0 && p.udp && !p.reassembled)
    SAY(note, "This first fragment carries the UDP header (ports {} → {}, length {} for the whole datagram); the "
              "later ones carry only data.", p.udp->src_port, p.udp->dst_port, p.udp->length);
  else if (f.offset == 0 && p.tcp && !p.reassembled)
    SAY(note, "This first fragment carries the TCP header (ports {} → {}); the later ones carry only data.",
        p.tcp->src_port, p.tcp->dst_port);
  else if (f.offset == 0)
    SAY(note, "This first fragment carries the {} header; the later ones carry only data.", header);
  else if (f.index == 1)
    SAY(note, "Only data: the {} header travels in the first fragment, which has not arrived yet.", header);
  else
    SAY(note, "Only data: the {} header travels in the first fragment.", header);
  if (!context.observation.delivered && !context.observation.conversation)
    SAY(note, "Dropped by the lab: this fragment never reaches the receiver, so the receiver can never rebuild its "
              "datagram.");
  explain_problem(f, note);
  if (!f.completes) return;

  SAY(note, "It completes the datagram: {}, in offset order", count_words(f.fragment_count, "fragment", "fragments"));
  for (std::size_t i = 0; i < f.fragment_count; ++i) fmt::format_to(std::back_inserter(note), "{}#{}", i ? ", " : " ", f.packets[i]);
  fmt::format_to(std::back_inserter(note), ", {} of IP payload. Reassembled, the receiver's IP hands it to {} whole.",
                 count_words(f.datagram_length, "byte", "bytes"), header);
  if (f.dropped_packet != 0)
    SAY(note, "The capture has every piece, but the lab's wire dropped #{}: the receiver never had it whole.",
        f.dropped_packet);
}

void explain_given_up(const FragmentReport& report, std::string& note) {
  for (const lab::flow::GivenUpDatagram& g : report.given_up_datagrams()) {
    const std::string src = lab::decode::to_string(g.src);
    const std::string dst = lab::decode::to_string(g.dst);
    if (g.reason == lab::flow::GiveUpReason::timeout)
      SAY(note, "Meanwhile lab gives up IP datagram id {} ({} → {}): still incomplete with {}, {} after its first "
                "fragment, #{}. Like Linux by default (net.ipv4.ipfrag_time, 30 s), lab waits 30 s of capture time "
                "for the rest.",
          g.id, src, dst, count_words(g.fragments, "fragment", "fragments"), duration_words(g.waited_ns), g.first_packet);
    else
      SAY(note, "To make room, lab gives up the oldest IP datagram it was collecting, id {} ({} → {}, first "
                "fragment #{}, {} so far): it collects at most {} at once.",
          g.id, src, dst, g.first_packet, count_words(g.fragments, "fragment", "fragments"),
          lab::flow::max_datagrams_in_progress);
  }
}

}  // namespace lab::annotate
