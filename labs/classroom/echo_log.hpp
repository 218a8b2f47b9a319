#pragma once
// What `lab server` and `lab client` print: one line per thing that happened (a client connected, a message
// came and went back, a side closed), each with the kernel's state where TCP has one, then a one-line summary.
// --format json gives the same facts as one JSON object per line. Data from the network is escaped.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>

#include "echo/echo_event.hpp"
#include "labs/echo_lab.hpp"

namespace lab::labs {

struct EchoTotals {
  std::size_t clients = 0;         // server: TCP connections accepted, or UDP peers seen
  std::size_t messages = 0;        // server: recv() calls (TCP) or datagrams (UDP); client: messages sent
  std::size_t bytes = 0;           // server: bytes received; client: bytes sent
  std::size_t echoes = 0;          // server: messages sent back; client: echoes received whole
  std::size_t echoed_bytes = 0;    // bytes sent back (server) or received back (client)
  std::size_t lost = 0;            // client, UDP: replies that never came
};

class EchoLog {
 public:
  EchoLog(lab::echo::Actor actor, Transport transport, OutputFormat format, std::FILE* out);

  void operator()(const lab::echo::EchoEvent& event);
  // The last line: what was done, and why it ended ("stopped by Ctrl-C", or the error). Prints nothing twice.
  void summary(const std::string& ending);
  const EchoTotals& totals() const { return totals_; }

 private:
  void text_line(const lab::echo::EchoEvent& event);
  void json_line(const lab::echo::EchoEvent& event);
  void print(const std::string& line);

  lab::echo::Actor actor_;
  bool tcp_;
  OutputFormat format_;
  std::FILE* out_;
  EchoTotals totals_;
  std::set<std::string> peers_;    // UDP server: the clients seen, by address
  std::size_t awaited_ = 0;        // client: the bytes of the echo still to come, and
  std::size_t echo_size_ = 0;      // the whole echo's size
  std::size_t pieces_ = 0;         // the recv() calls it has taken so far
  std::string awaited_data_;       // its first bytes, as sent
  bool echo_complete_ = false;    // the last recv() completed an echo
  bool summarised_ = false;
};

}  // namespace lab::labs
