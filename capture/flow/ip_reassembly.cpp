#include "capture/flow/ip_reassembly.hpp"

#include <algorithm>

namespace lab::flow {

using lab::decode::DecodedPacket;

const char* fragment_problem_name(FragmentProblem problem) {
  switch (problem) {
    case FragmentProblem::duplicate: return "duplicate";
    case FragmentProblem::overlap: return "overlap";
    case FragmentProblem::inconsistent: return "inconsistent";
    case FragmentProblem::too_large: return "too_large";
    case FragmentProblem::too_many: return "too_many";
    case FragmentProblem::uneven: return "uneven";
    case FragmentProblem::not_captured: return "not_captured";
    case FragmentProblem::discarded: return "discarded";
    case FragmentProblem::none: break;
  }
  return "none";
}

const char* give_up_reason_name(GiveUpReason reason) {
  return reason == GiveUpReason::timeout ? "timeout" : "evicted";
}

std::size_t IpReassembly::in_progress() const {
  return static_cast<std::size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return s.used && !s.discarded; }));
}

void IpReassembly::give_up(Slot& slot, GiveUpReason reason, std::int64_t time_ns) {
  // A discarded datagram was reported when it was discarded; letting its slot go says nothing new.
  if (!slot.discarded && report_.given_up_count < report_.given_up.size())
    report_.given_up[report_.given_up_count++] = {slot.v6,           slot.id, slot.src, slot.dst, slot.arrived,
                                                  slot.first_packet, time_ns - slot.first_time_ns, reason};
  slot.used = false;
}

// Capture time, not wall time: a file read in a second still ages its datagrams by its own timestamps.
void IpReassembly::expire(std::int64_t time_ns) {
  for (Slot& slot : slots_)
    if (slot.used && time_ns - slot.first_time_ns >= reassembly_timeout_ns) give_up(slot, GiveUpReason::timeout, time_ns);
}

IpReassembly::Slot& IpReassembly::slot_for(const DecodedPacket& p, std::uint32_t packet_index, std::int64_t time_ns) {
  // RFC 791 3.2: source, destination, protocol and identification name a datagram; RFC 8200 4.5: source,
  // destination and identification.
  const bool v6 = p.ipv6.has_value();
  const std::uint8_t protocol = v6 ? 0 : p.ipv4->protocol;
  const std::uint32_t id = p.fragment_id();
  for (Slot& slot : slots_)
    if (slot.used && slot.v6 == v6 && slot.id == id && slot.protocol == protocol && slot.src == *p.src_ip() &&
        slot.dst == *p.dst_ip())
      return slot;

  Slot* chosen = nullptr;
  for (Slot& slot : slots_)
    if (!slot.used) {
      chosen = &slot;
      break;
    }
  if (!chosen) {
    // Full: a discarded datagram goes first (nothing is lost with it), else the oldest in progress.
    auto older = [](const Slot& a, const Slot& b) {
      if (a.discarded != b.discarded) return a.discarded;
      return a.first_time_ns < b.first_time_ns;
    };
    chosen = &*std::min_element(slots_.begin(), slots_.end(), older);
    give_up(*chosen, GiveUpReason::evicted, time_ns);
  }
  Slot& slot = *chosen;
  slot.used = true;
  slot.discarded = false;
  slot.v6 = v6;
  slot.protocol = protocol;
  slot.id = id;
  slot.src = *p.src_ip();
  slot.dst = *p.dst_ip();
  slot.first_time_ns = time_ns;
  slot.discarded_at = 0;
  slot.end = 0;
  slot.end_known = false;
  slot.arrived = 0;
  slot.count = 0;
  slot.wire_bytes = 0;
  slot.dropped_packet = 0;
  slot.first_packet = packet_index;
  if (slot.bytes.size() < max_ip_datagram) slot.bytes.resize(max_ip_datagram);  // once per slot, then reused
  return slot;
}

void IpReassembly::discard(Slot& slot, FragmentProblem problem, std::uint32_t packet_index) {
  report_.problem = problem;
  report_.discards = true;
  report_.discarded_fragments = static_cast<std::uint16_t>(slot.count + 1);
  slot.discarded = true;
  slot.discarded_at = packet_index;
  slot.count = 0;
}

void IpReassembly::store(Slot& slot, std::uint32_t packet_index, std::uint32_t wire_len, bool delivered,
                         const DecodedPacket& p) {
  const std::uint32_t offset = report_.offset;
  const std::uint32_t end = offset + report_.length;
  const auto at = std::find_if(slot.pieces.begin(), slot.pieces.begin() + slot.count,
                               [&](const Piece& piece) { return piece.offset > offset; });
  std::copy_backward(at, slot.pieces.begin() + slot.count, slot.pieces.begin() + slot.count + 1);
  *at = {offset, end, packet_index};
  ++slot.count;
  std::copy(p.fragment_data.begin(), p.fragment_data.begin() + report_.length, slot.bytes.begin() + offset);
  slot.wire_bytes += wire_len;
  if (!delivered && slot.dropped_packet == 0) slot.dropped_packet = packet_index;
  if (!report_.more) {
    slot.end = end;
    slot.end_known = true;
  }
  if (!slot.end_known) return;
  // No two pieces overlap and none passes the end, so their lengths add up to the end only when nothing is missing.
  std::uint32_t covered = 0;
  for (std::uint16_t i = 0; i < slot.count; ++i) covered += slot.pieces[i].end - slot.pieces[i].offset;
  if (covered != slot.end) return;

  report_.completes = true;
  report_.datagram_length = slot.end;
  report_.wire_bytes = slot.wire_bytes;
  report_.dropped_packet = slot.dropped_packet;
  report_.fragment_count = slot.count;
  for (std::uint16_t i = 0; i < slot.count; ++i) report_.packets[i] = slot.pieces[i].packet;
  datagram_ = std::span<const std::uint8_t>(slot.bytes).first(slot.end);
  slot.used = false;  // its buffer stays as it is until the slot is next used, after this packet
}

const FragmentReport& IpReassembly::add(std::uint32_t packet_index, std::int64_t time_ns, std::uint32_t wire_len,
                                        bool delivered, const DecodedPacket& p) {
  // Only the small fields are reset: the arrays are read up to their counts.
  FragmentReport& r = report_;
  r.is_fragment = false;
  r.problem = FragmentProblem::none;
  r.problem_with = 0;
  r.discards = false;
  r.discarded_fragments = 0;
  r.completes = false;
  r.fragment_count = 0;
  r.given_up_count = 0;
  datagram_ = {};
  expire(time_ns);
  if (!p.is_fragment() || !p.has_ip()) return r;

  r.is_fragment = true;
  r.v6 = p.ipv6.has_value();
  r.id = p.fragment_id();
  r.offset = p.fragment_offset_bytes();
  r.length = p.fragment_data_len;
  r.more = p.more_fragments();
  Slot& slot = slot_for(p, packet_index, time_ns);
  r.index = ++slot.arrived;
  if (slot.discarded) {
    r.problem = FragmentProblem::discarded;
    r.problem_with = slot.discarded_at;
    return r;
  }

  const std::uint32_t end = r.offset + r.length;
  // The reassembled packet must fit IP's 16-bit length: IPv4's counts its header, IPv6's the extension headers
  // before the Fragment header (which reassembly removes).
  const std::uint32_t before_data = r.v6 ? p.ipv6->fragment_data_start - 48 : p.ipv4->header_len;
  const bool passes_end = r.more ? slot.end_known && end > slot.end
                                 : (slot.end_known && slot.end != end) ||
                                       std::any_of(slot.pieces.begin(), slot.pieces.begin() + slot.count,
                                                   [&](const Piece& piece) { return piece.end > end; });
  FragmentProblem problem = FragmentProblem::none;
  if (p.fragment_data.size() < r.length) problem = FragmentProblem::not_captured;
  else if (r.more && (r.length == 0 || r.length % 8 != 0)) problem = FragmentProblem::uneven;
  else if (end + before_data > max_ip_datagram) problem = FragmentProblem::too_large;
  else if (passes_end) problem = FragmentProblem::inconsistent;
  for (std::uint16_t i = 0; i < slot.count && problem == FragmentProblem::none; ++i) {
    const Piece& piece = slot.pieces[i];
    if (piece.offset == r.offset && piece.end == end) {
      // RFC 5722 section 4 (Errata 3089): an exact copy is dropped and the datagram kept.
      r.problem = FragmentProblem::duplicate;
      r.problem_with = piece.packet;
      return r;
    }
    if (piece.offset < end && r.offset < piece.end) {
      problem = FragmentProblem::overlap;
      r.problem_with = piece.packet;
    }
  }
  if (problem == FragmentProblem::none && slot.count == max_fragments_per_datagram) problem = FragmentProblem::too_many;
  if (problem != FragmentProblem::none) {
    discard(slot, problem, packet_index);
    return r;
  }
  store(slot, packet_index, wire_len, delivered, p);
  return r;
}

}  // namespace lab::flow
