#pragma once
// Pieces of explanation shared by the TCP, UDP and ARP annotators (internal to annotate/).
#include <string>

#include "capture/annotate/annotator.hpp"

namespace lab::annotate {

void explain_tcp(const PacketContext& context, const AnnotateOptions& options, std::string& note);
void explain_udp(const PacketContext& context, std::string& note);
// An ARP packet (arp_annotator.cpp), and an IPv4 frame sent to the MAC an ARP reply gave.
void explain_arp(const PacketContext& context, std::string& note);
void explain_arp_destination(const PacketContext& context, std::string& note);
// Wireshark's sequence analysis of a TCP segment, explained (nothing when it found nothing).
void explain_tcp_analysis(const PacketContext& context, std::string& note);
// The first words of a packet the lab's wire dropped.
void explain_dropped(const PacketContext& context, std::string& note);
void explain_decode_error(const lab::decode::DecodeError& error, std::string& note);
// An IP fragment: which piece of which datagram, and, when it completes one, that the datagram is whole.
void explain_fragment(const PacketContext& context, const lab::flow::FragmentReport& fragment, std::string& note);
// Datagrams that reassembly gave up incomplete at this packet (timed out, or evicted to make room).
void explain_given_up(const lab::flow::FragmentReport& report, std::string& note);
// HTTP riding on a TCP segment (http_annotator.cpp): its messages and bodies; with a FIN, what HTTP said of closing.
void explain_http(const PacketContext& context, std::string& note);
void explain_http_close(const PacketContext& context, std::string& note);
// TLS records riding on a TCP segment (tls_annotator.cpp): the hellos in clear, the switch to encryption, the rest.
void explain_tls(const PacketContext& context, std::string& note);
// ' "Hello?"' (escaped, shortened) for a payload.
void append_payload_quote(std::string& note, const lab::decode::DecodedPacket& packet);

}  // namespace lab::annotate
