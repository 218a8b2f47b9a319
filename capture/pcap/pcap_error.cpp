// What the adapter's .cpp files share: the filter compiler and the wording of file errors.
#include "capture/pcap/pcap_error.hpp"

#include "capture/pcap/pcap_detail.hpp"

namespace lab::pcap::detail {

void apply_filter(pcap_t* handle, const std::string& filter) {
  if (filter.empty()) return;
  bpf_program program{};
  // PCAP_NETMASK_UNKNOWN: only "ip broadcast" needs the netmask, and a file has none.
  if (pcap_compile(handle, &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw CaptureError(CaptureErrorKind::bad_filter,
                       "bad capture filter \"" + filter + "\": " + pcap_geterr(handle) +
                           " — write it as tcpdump takes it, e.g. \"udp port 5005\" (see man pcap-filter)");
  }
  const int status = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (status != 0) {
    throw CaptureError(CaptureErrorKind::bad_filter,
                       "cannot install capture filter \"" + filter + "\": " + pcap_geterr(handle));
  }
}

namespace {

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

std::string readable_file_error(const std::string& path, const std::string& pcap_message) {
  // libpcap prefixes the errors of fopen() with the file name ("x.pcap: No such file or directory").
  std::string reason = pcap_message;
  if (reason.starts_with(path + ": ")) reason.erase(0, path.size() + 2);

  // The file header could not even be read: "tried to read 4 file header bytes, only got 0".
  if (contains(reason, "file header") && contains(reason, "only got 0"))
    return path + " is empty: it holds no capture, not even the file header";
  if (contains(reason, "file header"))
    return path + " is cut short: its file header is incomplete (" + reason + ")";
  // A record header or its bytes stop at the end of the file (capture killed, copy interrupted).
  if (contains(reason, "truncated"))
    return path + " is cut short: the last record is incomplete (" + reason + ")";
  if (contains(reason, "unknown file format"))
    return path + " is not a pcap or pcapng capture (unknown file format)";
  // A record claiming more bytes than any capture holds: libpcap refuses before allocating.
  if (contains(reason, "capture length") || contains(reason, "bigger than"))
    return path + " is corrupt: a record claims an impossible length (" + reason + ")";
  if (contains(reason, "Is a directory") || contains(reason, "No such file") || contains(reason, "ermission"))
    return "cannot read " + path + ": " + reason;
  return path + " cannot be read as a capture: " + reason;
}

}  // namespace lab::pcap::detail
