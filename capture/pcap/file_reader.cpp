// FileReader: libpcap reads both pcap and pcapng; asking for nanosecond precision makes it scale
// microsecond files up, so every frame's time is in nanoseconds whatever the file holds.
#include "capture/pcap/file_reader.hpp"

#include "capture/pcap/pcap_detail.hpp"
#include "capture/pcap/pcap_error.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace lab::pcap {

struct FileReader::Impl {
  // The stdio buffer libpcap reads through: 256 KiB instead of glibc's 4 KiB makes 64x fewer read() calls.
  // Declared before the handle, so that it outlives the FILE that pcap_close closes.
  std::unique_ptr<char[]> buffer;
  detail::PcapHandle handle;
  std::string path;
  long file_size = 0;
  std::uint32_t link_type = 0;
  bool nanosecond = true;
  std::string failure;  // once reading failed, every later next() fails the same way
  // progress(): ftell() costs an lseek() system call, so it is asked at most once per 1024 frames.
  std::uint64_t frames = 0;
  std::uint64_t next_tell = 0;  // the frame count at which progress() asks again
  double progress = 0;
};

namespace {

constexpr std::size_t read_buffer_size = 256 * 1024;
constexpr std::uint64_t frames_per_tell = 1024;

}  // namespace

FileReader::FileReader(const std::string& path, const std::string& filter) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  if (path == "-") {  // libpcap's name for standard input
    impl_->handle.reset(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
  } else {
    // What pcap_open_offline does, with a bigger buffer (and the descriptor closed in children). The messages
    // are libpcap's own ("x.pcap: No such file or directory").
    std::FILE* file = std::fopen(path.c_str(), "rbe");
    if (file == nullptr) {
      throw CaptureError(CaptureErrorKind::file,
                         detail::readable_file_error(path, path + ": " + std::strerror(errno)));
    }
    impl_->buffer = std::make_unique<char[]>(read_buffer_size);
    std::setvbuf(file, impl_->buffer.get(), _IOFBF, read_buffer_size);
    impl_->handle.reset(pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf));
    if (!impl_->handle) std::fclose(file);  // on failure libpcap leaves the FILE to its caller
  }
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
  Impl& r = *impl_;
  if (r.frames < r.next_tell) return r.progress;
  r.next_tell = r.frames + frames_per_tell;
  std::FILE* file = pcap_file(r.handle.get());
  if (!file || r.file_size <= 0) return r.progress = 0;
  const long position = std::ftell(file);
  r.progress = position <= 0 ? 0 : static_cast<double>(position) / static_cast<double>(r.file_size);
  return r.progress;
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
      ++impl_->frames;
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
