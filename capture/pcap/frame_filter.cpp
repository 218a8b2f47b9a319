#include "capture/pcap/frame_filter.hpp"

#include "capture/pcap/pcap_detail.hpp"
#include "capture/pcap/pcap_error.hpp"

namespace lab::pcap {

struct FrameFilter::Impl {
  bool match_all = true;
  bpf_program program{};
  ~Impl() {
    if (!match_all) pcap_freecode(&program);
  }
};

FrameFilter::FrameFilter(const std::string& expression, std::uint32_t link_type, int snap_length)
    : impl_(std::make_unique<Impl>()) {
  if (expression.empty()) return;
  const detail::PcapHandle dead(pcap_open_dead(static_cast<int>(link_type), snap_length));
  if (!dead) throw CaptureError(CaptureErrorKind::other, "cannot compile a capture filter: pcap_open_dead() failed");
  if (pcap_compile(dead.get(), &impl_->program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    throw CaptureError(CaptureErrorKind::bad_filter,
                       "bad capture filter \"" + expression + "\": " + pcap_geterr(dead.get()) +
                           " — write it as tcpdump takes it, e.g. \"udp port 5005\" (see man pcap-filter)");
  impl_->match_all = false;
}

FrameFilter::~FrameFilter() = default;

bool FrameFilter::matches(const lab::decode::Frame& frame) const {
  if (impl_->match_all) return true;
  pcap_pkthdr header{};
  header.caplen = static_cast<bpf_u_int32>(frame.bytes.size());
  header.len = frame.wire_len;
  return pcap_offline_filter(&impl_->program, &header, frame.bytes.data()) != 0;
}

}  // namespace lab::pcap
