// Reads a capture file frame by frame and streams it through the explainer: memory stays bounded whatever
// the file's length (finished conversations are summarised and let go).
#include "labs/annotate_file.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "capture/decode/link.hpp"
#include "capture/pcap/file_reader.hpp"
#include "capture/timeline/explainer.hpp"
#include "labs/renderer_choice.hpp"
#include "labs/terminal.hpp"

namespace lab::labs {
namespace {

// "lab: 41% (1200000 packets)" on stderr, redrawn in place, when someone watches a terminal while the
// output goes elsewhere.
class Progress {
 public:
  Progress() : enabled_(isatty(fileno(stderr)) == 1 && isatty(fileno(stdout)) != 1) {}
  void update(std::uint64_t packets, double fraction) {
    if (!enabled_ || packets % 8192 != 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::fprintf(stderr, "\rlab: %3.0f%% (%llu packets)", fraction * 100, static_cast<unsigned long long>(packets));
    shown_ = true;
  }
  ~Progress() {
    if (shown_) std::fputs("\r\x1b[K", stderr);  // clear the progress line
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

int run_annotate_file(const AnnotateFileOptions& options) {
  lab::pcap::FileReader reader(options.path, options.filter);
  if (!lab::decode::link_type_name(reader.link_type())) {
    throw std::runtime_error(options.path + " holds link type " + reader.link_type_label() +
                             ", which lab does not decode (it reads Ethernet, Linux cooked SLL/SLL2, BSD loopback "
                             "NULL/LOOP and raw IP)");
  }
  const auto renderer = make_multi_conversation_renderer(options);
  lab::timeline::Explainer explainer(*renderer, {options.absolute, options.wireshark_rules}, write_stdout);

  Progress progress;
  lab::decode::Frame frame;
  try {
    while (reader.next(frame)) {
      explainer.packet(frame);
      progress.update(explainer.packets(), reader.progress());
    }
  } catch (...) {
    explainer.finish();  // what was read is explained and summarised before the error is told
    throw;
  }
  explainer.finish();
  return 0;
}

}  // namespace lab::labs
