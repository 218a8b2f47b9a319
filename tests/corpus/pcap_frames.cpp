// A helper for the robustness tests, reading captures with the same adapter `lab annotate` uses:
//   pcap_frames count FILE            prints how many frames libpcap returns, then "end", "error" or
//                                     "unreadable", then "supported" or "unsupported" (the link type):
//                                     what `lab annotate --format json` must print packets for
//   pcap_frames seeds OUTDIR FILE...  writes one fuzz seed (tests/fuzz/fuzz_input.hpp) per capture: its
//                                     first frames, each cut to its first bytes (the headers are what the
//                                     decoders read)
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "capture/decode/link.hpp"
#include "capture/pcap/file_reader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

constexpr std::size_t seed_frames = 12;
constexpr std::size_t seed_frame_bytes = 256;

int count(const std::string& path) {
  std::size_t frames = 0;
  const char* link = "unsupported";
  try {
    lab::pcap::FileReader reader(path);
    if (lab::decode::link_type_name(reader.link_type())) link = "supported";
    lab::decode::Frame frame;
    try {
      while (reader.next(frame)) ++frames;
    } catch (const std::exception&) {
      std::printf("%zu error %s\n", frames, link);
      return 0;
    }
  } catch (const std::exception&) {
    std::printf("0 unreadable %s\n", link);
    return 0;
  }
  std::printf("%zu end %s\n", frames, link);
  return 0;
}

bool supported(std::uint32_t link_type) {
  return std::find(lab::fuzz::link_types.begin(), lab::fuzz::link_types.end() - 1, link_type) !=
         lab::fuzz::link_types.end() - 1;
}

int seeds(const std::filesystem::path& out_dir, int argc, char** argv) {
  std::filesystem::create_directories(out_dir);
  int written = 0;
  for (int i = 0; i < argc; ++i) {
    const std::filesystem::path path = argv[i];
    try {
      lab::pcap::FileReader reader(path.string());
      if (!supported(reader.link_type())) continue;
      // Alternate the renderer so that both are seeded.
      std::vector<std::uint8_t> seed{lab::fuzz::settings_byte(reader.link_type(), i % 2 == 1)};
      lab::decode::Frame frame;
      std::int64_t last_ns = -1;
      std::size_t frames = 0;
      try {
        while (frames < seed_frames && reader.next(frame)) {
          const std::int64_t step_ms = last_ns < 0 ? 0 : (frame.time_ns - last_ns) / 1'000'000;
          last_ns = frame.time_ns;
          lab::fuzz::append_record(seed, step_ms, frame.bytes.first(std::min(frame.bytes.size(), seed_frame_bytes)),
                                   frame.wire_len);
          ++frames;
        }
      } catch (const std::exception&) {
        // cut short: the frames before the fault still make a seed
      }
      if (frames == 0) continue;
      std::ofstream(out_dir / (path.filename().string() + ".seed"), std::ios::binary)
          .write(reinterpret_cast<const char*>(seed.data()), static_cast<std::streamsize>(seed.size()));
      ++written;
    } catch (const std::exception&) {
      // not a capture libpcap reads: no seed
    }
  }
  std::printf("%d seeds written to %s\n", written, out_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "count" && argc == 3) return count(argv[2]);
  if (mode == "seeds" && argc >= 3) return seeds(argv[2], argc - 3, argv + 3);
  std::fprintf(stderr, "usage: pcap_frames count FILE | pcap_frames seeds OUTDIR FILE...\n");
  return 2;
}
