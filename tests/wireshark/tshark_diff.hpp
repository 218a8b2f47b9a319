#pragma once
// The Wireshark differential: per packet, `lab`'s JSON lines against what tshark prints for the same file
// (tcp.stream, tcp.seq, tcp.ack, tcp.len, tcp.flags; udp.stream). Frames are matched by number (tshark's
// frame.number == our `index`). What each side decodes differently on purpose is named in tshark_diff.cpp
// (`encapsulation_of`), with the reason.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lab::test::wireshark {

// The tshark on PATH (empty when none), and its version line ("TShark (Wireshark) 4.0.17 ...").
std::string tshark_path();
std::string tshark_version();
// Which of lab's Wireshark rules (`--wireshark`) match the installed tshark: "4.0" for 4.0 and older, else "4.4"
// (checked with 4.4; a 4.2 or a later version is compared with the 4.4 rules and may show differences of its
// own). capture/flow/wireshark_rules.hpp says what differs.
std::string wireshark_rules();

// One frame as tshark dissected it.
struct TsharkFrame {
  std::uint32_t number = 0;
  std::string protocols;                 // frame.protocols, e.g. "eth:ethertype:ip:tcp:http"
  std::optional<std::uint32_t> tcp_stream, seq, ack, len;
  std::uint16_t tcp_flags = 0;           // the 12 flag bits
  std::optional<std::uint32_t> udp_stream;
  bool ip_fragment = false;              // the outer IPv4/IPv6 header says this is a fragment
  // tcp.analysis.*: the names of the flag fields present ("retransmission", "duplicate_ack"...; sorted), and
  // the duplicate ACK's number and the frame it duplicates (0 when not one).
  std::vector<std::string> analysis;
  std::uint32_t duplicate_ack_num = 0, duplicate_ack_frame = 0;
  // The outermost Ethernet header's addresses, eth.src and eth.dst (isl.src and isl.dst for a Cisco ISL frame;
  // empty where the frame has none).
  std::string eth_src, eth_dst;
  // ARP (arp.*): the fixed part, the four addresses (arp.src.hw_mac, arp.src.proto_ipv4, arp.dst.hw_mac,
  // arp.dst.proto_ipv4) and Wireshark's arp.isgratuitous, arp.isprobe, arp.isannouncement.
  std::optional<std::uint32_t> arp_opcode, arp_hw_type, arp_proto_type, arp_hw_size, arp_proto_size;
  std::string arp_src_mac, arp_src_ip, arp_dst_mac, arp_dst_ip;
  bool arp_gratuitous = false, arp_probe = false, arp_announcement = false;
  // Wireshark's default colouring rule for the frame (frame.coloring_rule.name; empty when none matches).
  std::string coloring_rule;
};

// The tcp.analysis fields compared, as tshark names them after "tcp.analysis." and as our JSON `analysis` lists
// them (duplicate_ack stands for tcp.analysis.duplicate_ack_num being present).
const std::vector<std::string>& analysis_fields();

// Runs tshark on `file` (relative sequence numbers, no name resolution, no user preferences needed).
// Throws std::runtime_error when tshark fails.
std::vector<TsharkFrame> run_tshark(const std::string& file);

// One differing value: where, and both sides.
struct Mismatch {
  std::string file;       // base name
  std::uint32_t frame = 0;
  std::string field;      // "tcp", "stream", "seq", "ack", "len", "flags", "udp", "udp.stream", "analysis",
                          // "duplicate_ack_num", "duplicate_ack_frame", "src_mac", "dst_mac", "arp" and each
                          // ARP field by its JSON name ("op", "sender_ip", "gratuitous"...), "coloring_rule"
  std::string ours, theirs;
  std::string to_string() const;
};

// What one file's comparison found.
struct FileResult {
  std::size_t tcp_compared = 0;   // frames both sides decode as TCP, compared field by field
  std::size_t udp_compared = 0;
  std::size_t mac_compared = 0;   // frames whose src_mac and dst_mac were compared with eth.src and eth.dst
  std::size_t arp_compared = 0;   // ARP frames compared field by field (op, the fixed part, addresses, kinds)
  std::size_t coloring_compared = 0;  // frames whose coloring_rule equals tshark's frame.coloring_rule.name
  std::size_t tls_compared = 0;   // frames with TLS records whose types and handshake messages equal tshark's
  std::size_t excused = 0;        // frames skipped by a named rule (encapsulation, fragment, ICMP quote)
  std::vector<std::string> excuses;  // one line per rule that applied, with its frame count
  std::vector<Mismatch> mismatches;
};

// Compares our packets (JSON objects of type "packet") with tshark's frames: the fields above, for TCP the
// sequence analysis (`analysis`, `duplicate_ack_num`, `duplicate_ack_frame`), and the link layer (compare_link).
FileResult compare(const std::string& file, const std::vector<nlohmann::json>& ours,
                   const std::vector<TsharkFrame>& theirs);
// TLS, on a file where tshark sees any: per frame, the records made whole there (tls.record.content_type, and for
// TLS 1.3's encrypted ones tls.record.opaque_type) and the handshake messages read in clear (tls.handshake.type),
// against `tls` in our JSON. Adds to `result`; excuses by name (tunnels, TLS after other bytes, fragments).
void compare_tls(const std::string& file, const std::map<std::uint32_t, const nlohmann::json*>& by_index,
                 const std::vector<TsharkFrame>& theirs, std::map<std::string, std::size_t>& excuse_count,
                 std::map<std::string, std::string>& excuse_why, FileResult& result);
// Only the link layer: on every frame `src_mac` and `dst_mac` against eth.src and eth.dst (null where the frame has
// no Ethernet header), and on every ARP frame `op`, `hw_type`, `proto_type`, `hw_size`, `proto_size`, `sender_mac`,
// `sender_ip`, `target_mac`, `target_ip`, `gratuitous`, `probe`, `announcement` against tshark's arp.* fields.
FileResult compare_link(const std::string& file, const std::vector<nlohmann::json>& ours,
                        const std::vector<TsharkFrame>& theirs);

// Only the TCP sequence analysis of any pcap file: `lab annotate FILE --format json` against tshark, frame by
// frame (for example the lab's own `--write` captures of drop scenarios). `lab` is the binary to run. The result
// holds only analysis mismatches; `tcp_compared` counts the TCP frames whose analysis was compared.
FileResult compare_analysis(const std::string& file, const std::string& lab);

// A mismatch we know of and have reported, with why it happens; `frame` 0 matches any frame of the file.
struct KnownMismatch {
  const char* file;
  std::uint32_t frame;
  const char* field;
  const char* why;
};
const std::vector<KnownMismatch>& known_mismatches();
const KnownMismatch* find_known(const Mismatch& m);

// The corpus (../shared/corpus beside the repository) and its well-formed teaching captures, chosen by rule
// from MANIFEST.tsv (see the .cpp). Empty when the corpus is absent.
std::string corpus_dir();
std::vector<std::string> teaching_captures();
// The well-formed captures whose manifest protocol stacks name ARP (same rule as teaching_captures, with "/arp"
// instead of "/tcp"), for the link-layer comparison.
std::vector<std::string> arp_captures();

}  // namespace lab::test::wireshark
