// Explains an ARP packet (RFC 826): a question "who has this IP?", its answer "that IP is at this MAC", and the kinds
// RFC 5227 names (probe, announcement, gratuitous); and, on the asker's first IPv4 frame after a reply, that the
// frame goes to the MAC the reply gave. Every fact said here is also a JSON field of the packet (json_renderer.cpp):
// its MACs and ARP fields, `gratuitous`, `announcement`, `probe`, `answers`, `repeats`, `dst_mac_from_arp`; a
// time between two packets is the difference of their `time` fields.
#include <fmt/format.h>

#include <string_view>

#include "capture/annotate/packet_words.hpp"
#include "capture/annotate/say.hpp"
#include "capture/annotate/words.hpp"

namespace lab::annotate {
namespace {

using lab::decode::ArpHeader;
using lab::decode::IpAddress;
using lab::decode::MacAddress;

// Addresses as text on the stack: an explanation allocates only the note it grows.
struct AddressText {
  char text[46];
  std::size_t size = 0;
  std::string_view view() const { return {text, size}; }
};
AddressText text_of(const IpAddress& ip) {
  AddressText t;
  t.size = lab::decode::format_ip(ip, t.text);
  return t;
}
AddressText text_of(const MacAddress& mac) {
  AddressText t;
  t.size = lab::decode::format_mac(mac, t.text);
  return t;
}

// Where the Ethernet frame went, when the link shows it: every host on the link, or one.
void explain_frame_destination(const lab::decode::LinkInfo& link, std::string& note) {
  if (!link.has_macs) return;
  const MacAddress dst = link.dst_mac();
  if (dst.is_broadcast())
    SAY(note, "Broadcast to ff:ff:ff:ff:ff:ff: every host on the link receives it.");
  else if (dst.is_group())
    SAY(note, "Sent to the group address {}: the hosts of the link that joined that group receive it.", text_of(dst).view());
  else
    SAY(note, "Sent to one host only, {}.", text_of(dst).view());
}

void explain_request(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  const auto& o = context.observation.arp;
  const ArpHeader& h = *p.arp;
  const auto asked = text_of(h.target_ip);
  const auto asker = text_of(h.sender_ip);
  SAY(note, "ARP request: who has {}? Tell {}.", asked.view(), asker.view());
  if (p.link.has_macs && p.link.src_mac() != h.sender_mac)
    SAY(note, "Its sender MAC field, {}, is not the frame's source MAC, {}: the answer goes to the field's.",
        text_of(h.sender_mac).view(), text_of(p.link.src_mac()).view());
  const bool unicast = p.link.has_macs && !p.link.dst_mac().is_group();
  // Why a host asks, and why to everyone, is said in full once; later requests point back to it.
  if (!unicast) {
    if (const std::uint32_t at = explained_at(context.explained, Topic::arp_request, context.index)) {
      if (p.link.has_macs && p.link.dst_mac().is_broadcast())
        SAY(note, "Broadcast to ff:ff:ff:ff:ff:ff, like the request in #{}: every host on the link receives it.", at);
      else
        explain_frame_destination(p.link, note);
      if (!h.target_mac.is_zero())
        SAY(note, "Its target MAC field holds {}, which the receiver of a request does not use (RFC 826).",
            text_of(h.target_mac).view());
      if (o.repeats)
        SAY(note, "The same question as packet #{}, which no reply in this capture has answered.", o.repeats);
      return;
    }
  }
  if (!unicast)
    SAY(note, "{} (at {}) needs the MAC address of {} to send it anything on this link: IP says which host a packet "
              "is for, Ethernet delivers a frame to a MAC address.",
        asker.view(), text_of(h.sender_mac).view(), asked.view());
  if (p.link.has_macs) {
    const MacAddress dst = p.link.dst_mac();
    if (dst.is_broadcast())
      SAY(note, "Broadcast to ff:ff:ff:ff:ff:ff: every host on the link receives it, since the asker cannot know which "
                "one has {}; only that one should answer (RFC 826).", asked.view());
    else if (!dst.is_group())
      SAY(note, "Sent to {} alone, not broadcast: that is how a host checks that an address it already has is still "
                "right (RFC 1122, section 2.3.2.1).", text_of(dst).view());
    else
      explain_frame_destination(p.link, note);
  }
  if (h.target_mac.is_zero())
    SAY(note, "Its target MAC field is 00:00:00:00:00:00: that is what it asks for.");
  else
    SAY(note, "Its target MAC field holds {}, which the receiver of a request does not use (RFC 826).",
        text_of(h.target_mac).view());
  if (o.repeats)
    SAY(note, "The same question as packet #{}, which no reply in this capture has answered: an asker repeats it when "
              "no answer comes.", o.repeats);
}

void explain_reply(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  const auto& o = context.observation.arp;
  const ArpHeader& h = *p.arp;
  const auto answered = text_of(h.sender_ip);
  const auto asker = text_of(h.target_ip);
  SAY(note, "ARP reply: {} is at {}.", answered.view(), text_of(h.sender_mac).view());
  if (o.answers && o.repeats) {
    SAY(note, "It answers the request in packet #{}, {} later, as the reply in #{} already did.", o.answers,
        duration_words(o.answer_delay_ns), o.repeats);
  } else if (o.answers) {
    SAY(note, "It answers the request in packet #{}, {} later.", o.answers, duration_words(o.answer_delay_ns));
  }
  if (o.answers) {
    if (o.answers_probe)
      SAY(note, "That request was a probe: {} is in use, and RFC 5227 (section 2.1.1) has the prober treat it as "
                "taken by another host.", answered.view());
  } else if (o.requests_forgotten) {
    SAY(note, "No request from {} for {} is among those lab still remembers (it lets the oldest go in a long "
              "capture).", asker.view(), answered.view());
  } else if (p.link.vlan_count) {
    SAY(note, "No request from {} at {} for {} on VLAN {} appears earlier in this capture.", asker.view(),
        text_of(h.target_mac).view(), answered.view(), p.link.vlan_ids[0]);
  } else {
    SAY(note, "No request from {} at {} for {} appears earlier in this capture.", asker.view(),
        text_of(h.target_mac).view(), answered.view());
  }
  if (!p.link.has_macs) return;
  const MacAddress dst = p.link.dst_mac();
  if (dst == h.target_mac && !dst.is_group()) {
    const std::uint32_t at = o.answers ? explained_at(context.explained, Topic::arp_reply, context.index) : 0;
    if (at)
      SAY(note, "Sent straight to the asker, {}, not broadcast, as at #{}.", text_of(dst).view(), at);
    else if (o.answers)
      SAY(note, "Sent straight to the asker, {}, not broadcast: the request carried that MAC in its sender field, so "
                "the answering host needed no ARP of its own.", text_of(dst).view());
    else
      SAY(note, "Sent straight to the asker, {}, not broadcast.", text_of(dst).view());
  } else if (dst.is_broadcast()) {
    SAY(note, "Broadcast to ff:ff:ff:ff:ff:ff, so every host on the link sees the answer.");
  } else {
    SAY(note, "Sent to {}, which is not its target MAC field ({}).", text_of(dst).view(), text_of(h.target_mac).view());
  }
}

void explain_gratuitous(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  const ArpHeader& h = *p.arp;
  const char* op = h.is_request() ? "request" : "reply";
  if (ArpHeader::is_unspecified(h.sender_ip)) {
    SAY(note, "ARP {} whose sender and target IP are both 0.0.0.0: it asks about no address and announces none.", op);
    explain_frame_destination(p.link, note);
    return;
  }
  const auto ip = text_of(h.sender_ip);
  if (h.is_announcement())
    SAY(note, "ARP announcement (RFC 5227, section 2.3): {} tells the link that it is at {}. Sender and target IP are "
              "both {}, so it asks nothing; RFC 5227 has a host send this when it starts to use an address.",
        ip.view(), text_of(h.sender_mac).view(), ip.view());
  else
    SAY(note, "Gratuitous ARP {}: {} tells the link that it is at {}. Sender and target IP are both {}, so it asks "
              "nothing.", op, ip.view(), text_of(h.sender_mac).view(), ip.view());
  if (const std::uint32_t at = explained_at(context.explained, Topic::arp_gratuitous, context.index))
    SAY(note, "Hosts that already hold {} in their table take the sender MAC (RFC 826; see #{}).", ip.view(), at);
  else
    SAY(note, "RFC 826 has every host that already holds {} in its table take the sender MAC: that is how a new MAC "
              "for an address (a failover, a new network card) reaches the others' caches.", ip.view());
  explain_frame_destination(p.link, note);
}

void explain_probe(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  const auto& o = context.observation.arp;
  const ArpHeader& h = *p.arp;
  const auto probed = text_of(h.target_ip);
  if (const std::uint32_t at = explained_at(context.explained, Topic::arp_probe, context.index))
    SAY(note, "ARP probe (RFC 5227, section 2.1.1): the host at {} asks whether anyone already uses {}, with sender IP "
              "0.0.0.0 as in the probe at #{}.", text_of(h.sender_mac).view(), probed.view(), at);
  else
    SAY(note, "ARP probe (RFC 5227, section 2.1.1): the host at {} asks whether anyone already uses {}, before taking "
              "it. Its sender IP is 0.0.0.0 so that, should {} be in use, no host's cache starts sending that "
              "address's traffic to this MAC; an ARP packet with {} as its sender IP would mean it is in use.",
        text_of(h.sender_mac).view(), probed.view(), probed.view(), probed.view());
  explain_frame_destination(p.link, note);
  if (o.repeats)
    SAY(note, "The same probe as packet #{}: RFC 5227 has a host send 3, 1 to 2 seconds apart.", o.repeats);
}

}  // namespace

void explain_arp(const PacketContext& context, std::string& note) {
  const auto& p = context.packet;
  if (!p.arp) {
    SAY(note, "An ARP packet (EtherType 0x0806).");  // the error that follows says what is missing
    return;
  }
  const ArpHeader& h = *p.arp;
  if (!h.addresses_read) {
    // Another kind of ARP, lengths that lie, or addresses cut short: the fixed part, then the error says which.
    SAY(note, "An ARP packet: hardware type {}, protocol type 0x{:04x}, address lengths {} and {}, operation {}.",
        h.hardware_type, h.protocol_type, h.hardware_len, h.protocol_len, h.op);
    return;
  }
  if (h.is_gratuitous()) {
    explain_gratuitous(context, note);
  } else if (h.is_probe()) {
    explain_probe(context, note);
  } else if (h.is_request()) {
    explain_request(context, note);
  } else if (h.is_reply()) {
    explain_reply(context, note);
  } else {
    SAY(note, "ARP operation {}: neither a request (1) nor a reply (2), the two lab explains. Sender {} at {}, target {} "
              "at {}.", h.op, text_of(h.sender_ip).view(), text_of(h.sender_mac).view(), text_of(h.target_ip).view(),
        text_of(h.target_mac).view());
    explain_frame_destination(p.link, note);
  }
}

void explain_arp_destination(const PacketContext& context, std::string& note) {
  const auto& o = context.observation.arp;
  const auto& p = context.packet;
  if (!o.dst_mac_from_reply || !p.ipv4) return;
  const auto mac = text_of(p.link.dst_mac());
  const auto ip = text_of(p.ipv4->dst);
  if (o.reply_answered)
    SAY(note, "Its destination MAC, {}, is the one the ARP reply in packet #{} gave for {}, in answer to this host's "
              "request in #{}: ARP's answer, in use.", mac.view(), o.dst_mac_from_reply, ip.view(), o.reply_answered);
  else
    SAY(note, "Its destination MAC, {}, is the one the ARP reply in packet #{} gave for {}.", mac.view(),
        o.dst_mac_from_reply, ip.view());
}

}  // namespace lab::annotate
