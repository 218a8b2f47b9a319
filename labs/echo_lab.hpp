#pragma once
// `lab tcp-echo` and `lab udp-echo`: an echo server and client, a sniffer on the loopback between them,
// and the annotated timeline of both. No Asio or CLI11 here: this header is cheap to include.
#include <cstdint>
#include <string>
#include <vector>

namespace lab::labs {

enum class Transport { tcp, udp };
enum class OutputFormat { text, json };
enum class ColorMode { automatic, always, never };
enum class NetnsMode { private_ns, host };

struct EchoLabOptions {
  Transport transport = Transport::tcp;
  bool annotate = false;                   // text: explain every packet (JSON always carries them)
  std::vector<std::string> messages;       // empty: {"Hello?"}
  std::uint16_t port = 0;                  // 0: 65432 for TCP, 5005 for UDP
  OutputFormat format = OutputFormat::text;
  std::string write_path;                  // --write: a pcap file of the capture ("" for none)
  bool absolute = false;                   // raw sequence numbers too
  ColorMode color = ColorMode::automatic;
  NetnsMode netns = NetnsMode::private_ns;
  int reply_timeout_ms = 2000;
  bool ipv6 = false;                       // run over ::1 instead of 127.0.0.1
};

// Runs the lab and prints its timeline on stdout. Returns the process exit code (0: the exchange worked).
// Environment failures (port in use, no capture rights, unwritable --write) throw std::runtime_error
// subclasses whose message is one line for the student.
int run_echo_lab(const EchoLabOptions& options);

}  // namespace lab::labs
