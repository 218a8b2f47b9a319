#pragma once
// `lab tcp-echo` and `lab udp-echo`: an echo server and client, a sniffer between them, and the annotated
// timeline of both. No Asio or CLI11 here: this header is cheap to include.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "capture/flow/wireshark_rules.hpp"
#include "labs/net/fault_plan.hpp"

namespace lab::labs {

enum class Transport { tcp, udp };
enum class OutputFormat { text, json };
enum class ColorMode { automatic, always, never };
enum class NetnsMode { private_ns, host };

// How the TCP connection ends (--close). Each is a lesson in what goes on the wire.
enum class CloseStyle {
  client_first,  // the client closes after its echo: FIN from the client (the usual case)
  server_first,  // the server closes after echoing: FIN from the server, the client in CLOSE-WAIT
  abort,         // the client closes with SO_LINGER 0: RST instead of FIN
  unread,        // the server closes without reading what arrived: the kernel sends RST
  half_close,    // the client shutdown(SHUT_WR)s right after sending; the server keeps talking
  simultaneous,  // both close at the same instant, and the FINs cross on a delayed wire
};
const char* close_style_name(CloseStyle style);  // the --close word: "client", "server", "abort", ...

// Which programs the lab runs on its two sides.
enum class Application {
  echo,       // the echo server and client (tcp-echo, udp-echo, compare)
  http_ping,  // the HTTP server answering GET /ping and its client (http-ping, labs/http_lab.hpp); TCP only
  https_ping,  // the same over TLS (https-ping, labs/https_lab.hpp); TCP only
};

struct EchoLabOptions {
  Application application = Application::echo;
  Transport transport = Transport::tcp;
  bool annotate = false;                   // text: explain every packet (JSON always carries them)
  std::vector<std::string> messages;       // empty: {"Hello?"}
  std::size_t size = 0;                    // --size: one generated message of this many bytes instead
  std::uint16_t port = 0;                  // 0: 65432 for TCP, 5005 for UDP, 8080 for http-ping, 8443 for https-ping
  OutputFormat format = OutputFormat::text;
  std::string write_path;                  // --write: a pcap file of the capture ("" for none)
  bool absolute = false;                   // raw sequence numbers too
  lab::flow::WiresharkRules wireshark_rules = lab::flow::default_wireshark_rules;  // whose TCP analysis
  ColorMode color = ColorMode::automatic;
  NetnsMode netns = NetnsMode::private_ns;
  int reply_timeout_ms = 2000;             // UDP: how long the client waits for each reply
  bool ipv6 = false;                       // run over IPv6 instead of IPv4

  // http-ping (issue 11): how many GET /ping requests, and whether they share one connection (the client then
  // closes first) or each has its own with "Connection: close" (the server closes first).
  int requests = 1;
  bool keep_alive = false;
  // https-ping (issue 11, part 3): the TLS version the client insists on ("1.3" or "1.2"; the server takes both),
  // and where the client appends its session secrets in the SSLKEYLOGFILE format ("" for nowhere).
  std::string tls_version = "1.3";
  std::string keylog_path;

  // Scenarios (issue 4).
  FaultOptions faults;                     // --drop, --loss, --seed, --delay: packets go over the lab's wire
  bool no_server = false;                  // nobody listens: TCP gets RST, UDP an ICMP port unreachable
  CloseStyle close = CloseStyle::client_first;
  std::uint16_t mss = 0;                   // --mss: the client's and server's TCP_MAXSEG (0: the default)
  int slow_reader_ms = 0;                  // the server pauses this long before each recv()
  int receive_buffer = 0;                  // the server's SO_RCVBUF (0: the default)
  bool connect_udp = false;                // UDP: a connected client socket (it hears ICMP errors)

  // Where the two sides run (issue 10). --topology two-hosts: each on its own host of a private pair built as
  // `lab net` builds the classroom network (HostsConfig::classroom(): the seed's addresses, ARP on the wire); --mtu:
  // the hosts' MTU.
  bool two_hosts = false;
  int mtu = 0;                             // 0: Ethernet's 1500

  // Faults, a simultaneous close and the segmentation lessons need two hosts joined by the lab's own wire (a
  // real Ethernet link: 1500-byte MTU, no offloads, so each segment shows as it is; on the loopback the kernel
  // hands the capture 64 kB "super-segments"). Everything else runs on the loopback of one private namespace.
  bool uses_wire() const {
    return two_hosts || mtu > 0 || faults.any() || close == CloseStyle::simultaneous || size > 0 || mss > 0 ||
           slow_reader_ms > 0 || receive_buffer > 0;
  }
  // The messages the client sends, after --size and the default are applied.
  std::vector<std::string> client_messages() const;
};

// Runs the lab and prints its timeline on stdout. Returns the process exit code (0: the lab ran; for a
// scenario that makes the client fail on purpose, its failure is the lesson and still exits 0).
// Environment failures (port in use, no capture rights, unwritable --write) throw std::runtime_error
// subclasses whose message is one line for the student.
int run_echo_lab(const EchoLabOptions& options);

}  // namespace lab::labs
