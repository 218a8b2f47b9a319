// ARP across packets (RFC 826). A request asks "who has IP T? tell IP S at MAC M"; the reply comes from T's
// owner, addressed to the asker: its sender fields carry the answer (T and T's MAC), its target fields the asker
// (S and M). So a reply answers the requests whose asker is its target and whose question is its sender IP.
#include "capture/flow/arp_tracker.hpp"

#include <algorithm>
#include <optional>

namespace lab::flow {
namespace {

using lab::decode::ArpHeader;

// The link an address belongs to: the same IP on two VLANs is two hosts.
std::uint16_t vlan_of(const lab::decode::DecodedPacket& p) {
  return p.link.vlan_count ? static_cast<std::uint16_t>(p.link.vlan_ids[0] + 1) : 0;
}

}  // namespace

void ArpTracker::remember_request(const ArpRequestRecord& request) {
  if (pending_count_ == pending_.size()) {
    // Full: the oldest is let go, still unanswered. A probe that nobody answers is no news (the address is free).
    if (!pending_[0].probe) ++counts_.forgotten;
    forgot_any_ = true;
    std::move(pending_.begin() + 1, pending_.end(), pending_.begin());
    --pending_count_;
  }
  pending_[pending_count_++] = request;
}

void ArpTracker::observe_reply(std::uint32_t packet_index, std::int64_t time_ns, const ArpHeader& reply,
                               std::uint16_t vlan, ArpObservation& o) {
  const auto same_question = [&](const ArpRequestRecord& r) {
    return r.vlan == vlan && r.wanted_ip == reply.sender_ip && r.asker_ip == reply.target_ip &&
           r.asker_mac == reply.target_mac;
  };
  const auto answer = [&](const ArpRequestRecord& r) {
    o.answers = r.packet;
    o.answer_delay_ns = time_ns - r.time_ns;
    o.answers_probe = r.probe;
  };
  // Every waiting request with this question from this asker is answered by it; the latest is the one it answers
  // (an asker that asked again had no answer to the earlier ones by then).
  std::size_t kept = 0;
  std::optional<ArpRequestRecord> latest;
  for (std::size_t i = 0; i < pending_count_; ++i) {
    if (same_question(pending_[i])) {
      latest = pending_[i];
    } else {
      pending_[kept++] = pending_[i];
    }
  }
  pending_count_ = kept;
  // Remembered as answered, for a second reply to the same question (hosts may both answer, or answer twice).
  Answered* known = nullptr;
  for (std::size_t i = 0; i < answered_count_; ++i)
    if (same_question(answered_[i].request)) known = &answered_[i];
  if (latest) {
    answer(*latest);
    if (!known) {
      if (answered_count_ == answered_.size()) {
        std::move(answered_.begin() + 1, answered_.end(), answered_.begin());
        --answered_count_;
        forgot_any_ = true;
      }
      known = &answered_[answered_count_++];
    }
    *known = {*latest, packet_index};
  } else if (known) {
    answer(known->request);
    o.repeats = known->reply_packet;
    known->reply_packet = packet_index;
  } else {
    o.requests_forgotten = forgot_any_;
  }

  // What the asker now knows. Only a real mapping: a host's own MAC (not a group address, not zero) for an IP that
  // is an address (not 0.0.0.0, which is where a reply to a probe goes).
  if (reply.sender_mac.is_group() || reply.sender_mac.is_zero() || ArpHeader::is_unspecified(reply.target_ip) ||
      ArpHeader::is_unspecified(reply.sender_ip))
    return;
  const Learned learned{reply.target_ip, reply.target_mac, reply.sender_ip, reply.sender_mac, vlan, packet_index, o.answers};
  for (std::size_t i = 0; i < learned_count_; ++i) {
    if (learned_[i].asker_ip == learned.asker_ip && learned_[i].answered_ip == learned.answered_ip &&
        learned_[i].vlan == vlan) {
      learned_[i] = learned;  // a newer reply to the same asker replaces the older
      return;
    }
  }
  if (learned_count_ == learned_.size()) {
    std::move(learned_.begin() + 1, learned_.end(), learned_.begin());
    --learned_count_;
  }
  learned_[learned_count_++] = learned;
}

void ArpTracker::observe_arp(std::uint32_t packet_index, std::int64_t time_ns, const lab::decode::DecodedPacket& p,
                             ArpObservation& o) {
  ++counts_.packets;
  if (!p.arp || !p.arp->addresses_read || (!p.arp->is_request() && !p.arp->is_reply())) {
    ++counts_.other;
    return;
  }
  const ArpHeader& h = *p.arp;
  const std::uint16_t vlan = vlan_of(p);
  if (h.is_gratuitous()) {
    ++counts_.gratuitous;  // tells, asks nothing, answers nothing
    return;
  }
  if (h.is_reply()) {
    ++counts_.replies;
    observe_reply(packet_index, time_ns, h, vlan, o);
    return;
  }
  const bool probe = h.is_probe();
  ++(probe ? counts_.probes : counts_.requests);
  for (std::size_t i = 0; i < pending_count_; ++i) {
    const ArpRequestRecord& r = pending_[i];
    if (r.vlan == vlan && r.asker_ip == h.sender_ip && r.asker_mac == h.sender_mac && r.wanted_ip == h.target_ip)
      o.repeats = r.packet;  // the latest such, since they are in order
  }
  remember_request({packet_index, time_ns, h.sender_mac, h.sender_ip, h.target_ip, vlan, probe});
}

void ArpTracker::observe_ipv4(const lab::decode::DecodedPacket& p, ArpObservation& o) {
  if (learned_count_ == 0 || !p.ipv4 || !p.link.has_macs) return;
  const std::uint16_t vlan = vlan_of(p);
  for (std::size_t i = 0; i < learned_count_; ++i) {
    const Learned& l = learned_[i];
    if (l.vlan != vlan || l.asker_ip != p.ipv4->src || l.answered_ip != p.ipv4->dst) continue;
    // The asker's first IPv4 frame to that address since the reply: it is told about (or not) once, and forgotten.
    if (p.link.src_mac() == l.asker_mac && p.link.dst_mac() == l.answered_mac) {
      o.dst_mac_from_reply = l.reply_packet;
      o.reply_answered = l.answered;
    }
    std::move(learned_.begin() + static_cast<std::ptrdiff_t>(i) + 1, learned_.begin() + static_cast<std::ptrdiff_t>(learned_count_),
              learned_.begin() + static_cast<std::ptrdiff_t>(i));
    --learned_count_;
    return;
  }
}

ArpSummary ArpTracker::summary() const {
  ArpSummary s = counts_;
  for (std::size_t i = 0; i < pending_count_; ++i)
    if (!pending_[i].probe) s.unanswered.push_back(pending_[i]);
  return s;
}

}  // namespace lab::flow
