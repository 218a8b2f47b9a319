// FileWriter: a "dead" pcap handle (no interface, just a link type and snap length) is what libpcap needs to
// write a file; nanosecond precision makes it write the nanosecond pcap magic (0xa1b23c4d).
#include "capture/pcap/file_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capture/pcap/pcap_detail.hpp"
#include "capture/pcap/pcap_error.hpp"

namespace lab::pcap {

struct FileWriter::Impl {
  detail::PcapHandle dead;
  pcap_dumper_t* dumper = nullptr;
  std::string path;
  std::uint32_t link_type = 0;
  std::uint32_t snap_length = 0;
};

FileWriter::FileWriter(const std::string& path, std::uint32_t link_type, int snap_length)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->link_type = link_type;
  impl_->snap_length = static_cast<std::uint32_t>(std::max(snap_length, 1));
  impl_->dead.reset(pcap_open_dead_with_tstamp_precision(static_cast<int>(link_type), snap_length,
                                                         PCAP_TSTAMP_PRECISION_NANO));
  if (!impl_->dead) throw CaptureError(CaptureErrorKind::other, "cannot write " + path + ": out of memory");

  // Open the file ourselves so that errno says why it failed (and the descriptor does not leak into children).
  std::FILE* file = std::fopen(path.c_str(), "wbe");
  if (file == nullptr)
    throw CaptureError(CaptureErrorKind::file, "cannot write " + path + ": " + std::strerror(errno));
  impl_->dumper = pcap_dump_fopen(impl_->dead.get(), file);
  if (impl_->dumper == nullptr) {  // e.g. a link type that pcap files cannot hold
    std::fclose(file);
    throw CaptureError(CaptureErrorKind::other,
                       "cannot write " + path + ": " + pcap_geterr(impl_->dead.get()));
  }
}

FileWriter::~FileWriter() {
  if (impl_->dumper != nullptr) pcap_dump_close(impl_->dumper);  // errors here are lost: call flush() first
}

void FileWriter::on_frame(const lab::decode::Frame& frame) {
  if (frame.link_type != impl_->link_type) {
    // One pcap file holds one link type; a foreign frame would be decoded as garbage by every reader.
    throw CaptureError(CaptureErrorKind::other,
                       "cannot write a frame of link type " + std::to_string(frame.link_type) + " into " +
                           impl_->path + ", a file of link type " + std::to_string(impl_->link_type));
  }
  // Split the time into seconds and nanoseconds, rounding down so that times before 1970 stay correct.
  std::int64_t seconds = frame.time_ns / 1'000'000'000;
  std::int64_t nanoseconds = frame.time_ns % 1'000'000'000;
  if (nanoseconds < 0) {
    seconds -= 1;
    nanoseconds += 1'000'000'000;
  }
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<decltype(header.ts.tv_sec)>(seconds);
  header.ts.tv_usec = static_cast<decltype(header.ts.tv_usec)>(nanoseconds);  // ns: the handle is NANO
  // Readers reject records longer than the file's snap length, and a record whose wire length is less than
  // its captured length, so keep both consistent.
  header.caplen = static_cast<bpf_u_int32>(std::min<std::size_t>(frame.bytes.size(), impl_->snap_length));
  header.len = std::max(frame.wire_len, header.caplen);
  pcap_dump(reinterpret_cast<u_char*>(impl_->dumper), &header, frame.bytes.data());
}

void FileWriter::flush() {
  errno = 0;
  const bool failed = pcap_dump_flush(impl_->dumper) != 0 || std::ferror(pcap_dump_file(impl_->dumper)) != 0;
  if (failed) {
    const int error = errno != 0 ? errno : EIO;
    throw CaptureError(CaptureErrorKind::file, "cannot write " + impl_->path + ": " + std::strerror(error));
  }
}

}  // namespace lab::pcap
