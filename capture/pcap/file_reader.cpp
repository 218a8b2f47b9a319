// FileReader: libpcap reads both pcap and pcapng; asking for nanosecond precision makes it scale
// microsecond files up, so every frame's time is in nanoseconds whatever the file holds.
#include "capture/pcap/file_reader.hpp"

#include "capture/pcap/pcap_detail.hpp"
#include "capture/pcap/pcap_error.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace lab::pcap {

struct FileReader::Impl {
  detail::PcapHandle handle;
  std::string path;
  long file_size = 0;
  std::uint32_t link_type = 0;
  bool nanosecond = true;
  std::string failure;  // once reading failed, every later next() fails the same way
};

FileReader::FileReader(const std::string& path, const std::string& filter) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  impl_->handle.reset(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
  if (!impl_->handle) throw CaptureError(CaptureErrorKind::file, detail::readable_file_error(path, errbuf));
  impl_->link_type = static_cast<std::uint32_t>(pcap_datalink(impl_->handle.get()));
  impl_->nanosecond = pcap_get_tstamp_precision(impl_->handle.get()) == PCAP_TSTAMP_PRECISION_NANO;
  detail::apply_filter(impl_->handle.get(), filter);
  if (std::FILE* file = pcap_file(impl_->handle.get())) {
    struct stat info {};
    if (fstat(fileno(file), &info) == 0 && S_ISREG(info.st_mode)) impl_->file_size = static_cast<long>(info.st_size);
  }
}

std::string FileReader::link_type_label() const {
  const int dlt = static_cast<int>(impl_->link_type);
  const char* name = pcap_datalink_val_to_name(dlt);
  const char* description = pcap_datalink_val_to_description(dlt);
  std::string label = name ? name : "unknown";
  if (description) label += std::string(" (") + description + ")";
  return label;
}

double FileReader::progress() const {
  std::FILE* file = pcap_file(impl_->handle.get());
  if (!file || impl_->file_size <= 0) return 0;
  const long position = std::ftell(file);
  return position <= 0 ? 0 : static_cast<double>(position) / static_cast<double>(impl_->file_size);
}

FileReader::~FileReader() = default;

std::uint32_t FileReader::link_type() const { return impl_->link_type; }

bool FileReader::next(lab::decode::Frame& frame) {
  if (!impl_->failure.empty()) throw CaptureError(CaptureErrorKind::file, impl_->failure);
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  // libpcap checks each record's length against the largest snap length before it allocates or reads, so a
  // record header claiming gigabytes ends here as an error, not as a huge buffer.
  switch (pcap_next_ex(impl_->handle.get(), &header, &data)) {
    case 1:
      frame = detail::to_frame(*header, data, impl_->link_type, impl_->nanosecond);
      return true;
    case PCAP_ERROR_BREAK:  // the end of the file
      return false;
    default:  // PCAP_ERROR: cut short or corrupt (0, "timeout", only happens on live captures)
      impl_->failure = detail::readable_file_error(impl_->path, pcap_geterr(impl_->handle.get()));
      throw CaptureError(CaptureErrorKind::file, impl_->failure);
  }
}

}  // namespace lab::pcap
