#pragma once
// Reads pcap and pcapng files (as tcpdump, tshark and Wireshark write them) frame by frame.
#include <cstdint>
#include <memory>
#include <string>

#include "capture/decode/frame.hpp"

namespace lab::pcap {

class FileReader {
 public:
  // Throws CaptureError (kind file) for a missing, unreadable or non-capture file, naming the file.
  explicit FileReader(const std::string& path, const std::string& filter = "");
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  std::uint32_t link_type() const;
  // libpcap's name and description of the link type, e.g. "PPP (PPP)", for messages about it.
  std::string link_type_label() const;
  // How far through the file reading has got, 0..1 (for progress reports); 0 when unknown. Refreshed once
  // every 1024 frames (asking the position is a system call).
  double progress() const;
  // The next frame (its bytes valid until the next call); false at the end of the file.
  // Throws CaptureError when the file is cut short or corrupt, after every complete record was returned.
  bool next(lab::decode::Frame& frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lab::pcap
