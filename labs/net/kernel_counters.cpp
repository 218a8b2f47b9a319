// /proc/net/netstat holds pairs of lines: "TcpExt: Name1 Name2 ..." then "TcpExt: 1 2 ...". The names differ
// between kernel versions, so the fields are found by name, never by position.
#include "labs/net/kernel_counters.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>

namespace lab::labs {

namespace {

// The next whitespace-separated word of `text` from `pos` (empty at the end of the line or of the text).
std::string_view next_word(std::string_view line, std::size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ' ') ++pos;
  return line.substr(start, pos - start);
}

std::string_view next_line(std::string_view text, std::size_t& pos) {
  const std::size_t end = std::min(text.find('\n', pos), text.size());
  const std::string_view line = text.substr(pos, end - pos);
  pos = end < text.size() ? end + 1 : end;
  return line;
}

std::uint64_t* field_for(TcpCounters& counters, std::string_view name) {
  if (name == "TCPTimeouts") return &counters.timeouts;
  if (name == "TCPLossProbes") return &counters.loss_probes;
  if (name == "TCPFastRetrans") return &counters.fast_retrans;
  if (name == "TCPSynRetrans") return &counters.syn_retrans;
  if (name == "DelayedACKs") return &counters.delayed_acks;
  return nullptr;
}

}  // namespace

TcpCounters parse_tcp_counters(std::string_view netstat_text) {
  TcpCounters counters;
  std::size_t pos = 0;
  while (pos < netstat_text.size()) {
    const std::string_view names = next_line(netstat_text, pos);
    if (!names.starts_with("TcpExt:")) continue;
    const std::string_view values = next_line(netstat_text, pos);
    if (!values.starts_with("TcpExt:")) break;  // a header without its values: nothing to read
    std::size_t name_pos = 7;  // past "TcpExt:"
    std::size_t value_pos = 7;
    for (;;) {
      const std::string_view name = next_word(names, name_pos);
      const std::string_view value = next_word(values, value_pos);
      if (name.empty() || value.empty()) break;
      if (std::uint64_t* field = field_for(counters, name))
        std::from_chars(value.data(), value.data() + value.size(), *field);
    }
    break;
  }
  return counters;
}

TcpCounters read_tcp_counters(int netstat_fd) {
  // On the stack: read for every TCP frame the wire carries, so no allocation. TcpExt comes first in the
  // file, well within this buffer; what does not fit is IpExt and MPTcpExt.
  std::array<char, 16384> buffer;
  std::size_t size = 0;
  while (size < buffer.size()) {
    const ssize_t n = pread(netstat_fd, buffer.data() + size, buffer.size() - size, static_cast<off_t>(size));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    size += static_cast<std::size_t>(n);
  }
  return parse_tcp_counters(std::string_view(buffer.data(), size));
}

}  // namespace lab::labs
