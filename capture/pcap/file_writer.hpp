#pragma once
// Writes a pcap file (nanosecond timestamps) that Wireshark, tshark and tcpdump open.
#include <cstdint>
#include <memory>
#include <string>

#include "capture/pcap/frame_sink.hpp"

namespace lab::pcap {

class FileWriter : public FrameSink {
 public:
  // Throws CaptureError (kind file) when the path cannot be written.
  FileWriter(const std::string& path, std::uint32_t link_type, int snap_length = 262144);
  ~FileWriter() override;
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  void on_frame(const lab::decode::Frame& frame) override;
  void flush();  // throws CaptureError if the data could not be written (disk full...)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lab::pcap
