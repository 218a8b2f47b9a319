#pragma once
// The one exception type of the pcap adapter: the environment failed (no permission, no such interface,
// unreadable or unwritable file). Its message is one line a student can act on.
#include <stdexcept>
#include <string>

namespace lab::pcap {

enum class CaptureErrorKind { permission, no_such_device, bad_filter, file, other };

class CaptureError : public std::runtime_error {
 public:
  CaptureError(CaptureErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  CaptureErrorKind kind() const { return kind_; }

 private:
  CaptureErrorKind kind_;
};

}  // namespace lab::pcap
