// LiveCapture: pcap_create + options + pcap_activate (rather than pcap_open_live) so that immediate mode and
// nanosecond timestamps can be asked for before the capture starts.
#include "capture/pcap/live_capture.hpp"

#include <net/if.h>

#include <exception>

#include "capture/pcap/pcap_detail.hpp"
#include "capture/pcap/pcap_error.hpp"

namespace lab::pcap {

namespace {

// "lo, eth0, wlan0": the kernel's interfaces, named in the error when the asked-for one does not exist
// (pcap_findalldevs would add pseudo-devices such as nflog and dbus-system, which confuse more than help).
std::string interface_names() {
  struct if_nameindex* interfaces = if_nameindex();  // "struct": the function has the same name
  if (interfaces == nullptr) return "(unknown)";
  std::string names;
  for (const struct if_nameindex* entry = interfaces; entry->if_index != 0; ++entry) {
    if (!names.empty()) names += ", ";
    names += entry->if_name;
  }
  if_freenameindex(interfaces);
  return names + " (or \"any\" for all of them)";
}

// pcap_activate's status as one line a student can act on.
CaptureError activation_error(int status, const std::string& interface, const char* pcap_message) {
  const std::string prefix = "cannot capture on " + interface + ": ";
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return {CaptureErrorKind::permission,
              prefix + "permission denied — run as root (sudo), give lab the capture capabilities (sudo setcap "
                       "cap_net_raw,cap_net_admin=eip $(command -v lab)), or let lab run in its own private "
                       "namespace (the default)"};
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return {CaptureErrorKind::no_such_device,
              prefix + "no such interface — the interfaces here are: " + interface_names()};
    case PCAP_ERROR_IFACE_NOT_UP:
      return {CaptureErrorKind::other,
              prefix + "the interface is down — bring it up with: sudo ip link set " + interface + " up"};
    default:
      return {CaptureErrorKind::other, prefix + pcap_message};
  }
}

// What pcap_dispatch's callback needs; lives on dispatch()'s stack, so delivering a packet allocates nothing.
struct Delivery {
  FrameSink* sink;
  pcap_t* handle;
  std::uint32_t link_type;
  bool nanosecond;
  std::size_t delivered = 0;
  std::exception_ptr failure;  // an exception must not unwind through libpcap's C frames
};

void deliver(u_char* user, const pcap_pkthdr* header, const u_char* data) {
  auto& delivery = *reinterpret_cast<Delivery*>(user);
  if (delivery.failure) return;
  try {
    delivery.sink->on_frame(detail::to_frame(*header, data, delivery.link_type, delivery.nanosecond));
    ++delivery.delivered;
  } catch (...) {
    delivery.failure = std::current_exception();
    pcap_breakloop(delivery.handle);
  }
}

}  // namespace

struct LiveCapture::Impl {
  detail::PcapHandle handle;
  std::string interface;
  std::uint32_t link_type = 0;
  int snap_length = 0;
  bool nanosecond = false;
};

LiveCapture::LiveCapture(const LiveCaptureOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->interface = options.interface;
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  impl_->handle.reset(pcap_create(options.interface.c_str(), errbuf));
  if (!impl_->handle)
    throw CaptureError(CaptureErrorKind::other, "cannot capture on " + options.interface + ": " + errbuf);
  pcap_t* handle = impl_->handle.get();

  pcap_set_snaplen(handle, options.snap_length);
  pcap_set_immediate_mode(handle, 1);  // hand over each packet at once: a lab shows packets as they happen
  pcap_set_buffer_size(handle, options.buffer_bytes);
  // Not every platform can do nanoseconds; then libpcap keeps microseconds and to_frame() scales them.
  pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO);

  const int status = pcap_activate(handle);  // > 0: a warning, the capture runs anyway
  if (status < 0) throw activation_error(status, options.interface, pcap_geterr(handle));

  impl_->link_type = static_cast<std::uint32_t>(pcap_datalink(handle));
  impl_->snap_length = pcap_snapshot(handle);
  impl_->nanosecond = pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO;
  detail::apply_filter(handle, options.filter);
  if (pcap_setnonblock(handle, 1, errbuf) != 0)
    throw CaptureError(CaptureErrorKind::other, "cannot capture on " + options.interface + ": " + errbuf);
}

LiveCapture::~LiveCapture() = default;

std::uint32_t LiveCapture::link_type() const { return impl_->link_type; }

int LiveCapture::snap_length() const { return impl_->snap_length; }

int LiveCapture::selectable_fd() const { return pcap_get_selectable_fd(impl_->handle.get()); }

std::size_t LiveCapture::dispatch(FrameSink& sink) {
  Delivery delivery{&sink, impl_->handle.get(), impl_->link_type, impl_->nanosecond, 0, nullptr};
  // Non-blocking: -1 takes every packet waiting now and returns 0 when there are none.
  const int status = pcap_dispatch(impl_->handle.get(), -1, deliver, reinterpret_cast<u_char*>(&delivery));
  if (delivery.failure) std::rethrow_exception(delivery.failure);
  if (status == PCAP_ERROR) {  // e.g. "The interface went down"
    throw CaptureError(CaptureErrorKind::other,
                       "capture on " + impl_->interface + " failed: " + pcap_geterr(impl_->handle.get()));
  }
  return delivery.delivered;
}

CaptureStats LiveCapture::stats() const {
  pcap_stat raw{};
  if (pcap_stats(impl_->handle.get(), &raw) != 0) {
    throw CaptureError(CaptureErrorKind::other,
                       "cannot read the statistics of " + impl_->interface + ": " + pcap_geterr(impl_->handle.get()));
  }
  return {raw.ps_recv, raw.ps_drop};
}

std::vector<InterfaceInfo> list_interfaces() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* all = nullptr;
  if (pcap_findalldevs(&all, errbuf) != 0) throw CaptureError(CaptureErrorKind::other, std::string("cannot list the interfaces: ") + errbuf);
  std::vector<InterfaceInfo> interfaces;
  for (const pcap_if_t* d = all; d != nullptr; d = d->next) {
    InterfaceInfo info;
    info.name = d->name ? d->name : "";
    info.description = d->description ? d->description : "";
    info.loopback = (d->flags & PCAP_IF_LOOPBACK) != 0;
    info.up = (d->flags & PCAP_IF_UP) != 0;
    interfaces.push_back(std::move(info));
  }
  pcap_freealldevs(all);
  return interfaces;
}

}  // namespace lab::pcap
