#pragma once
// The byte format of one fuzz input: a link type, renderer settings and a sequence of frames, so that one
// input drives a whole capture through decode -> track -> annotate -> render. Header-only, so that the
// libFuzzer target (clang), the regression test (g++) and the seed extractor (which writes this format from
// real captures) share one definition.
//
//   byte 0        settings: bits 0-3 the link type (index into link_types, modulo its size),
//                 bit 4 text renderer (else JSON lines), bit 5 absolute sequence numbers,
//                 bit 6 a repeat byte follows, bit 7 a 4-byte start time follows
//   [1 byte]      repeat: the frame sequence is fed 1 + 8 * value times, up to max_packets packets in all
//                 (the tracker's periodic clean-up runs every 1024 packets)
//   [4 bytes]     start time, seconds since the epoch, big-endian (else 1,700,000,000)
//   then records until the input ends (at most max_frames):
//     1 byte      time step from the previous frame, milliseconds, signed (time may go backwards in files)
//     2 bytes     captured length, big-endian (cut to what remains of the input)
//     2 bytes     wire length minus captured length, big-endian; 0xFFFF: the wire length is 0 (a lying
//                 record header)
//     n bytes     the captured bytes
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "capture/decode/frame.hpp"

namespace lab::fuzz {

namespace lt = lab::decode::link_type;
// Every link type decode_link() supports, and one it does not (its error path).
inline constexpr std::array<std::uint32_t, 11> link_types = {
    lt::ethernet, lt::null, lt::loop, lt::linux_sll, lt::linux_sll2, lt::raw,
    lt::raw_openbsd, lt::raw_file, lt::ipv4, lt::ipv6, 147 /* DLT_USER0: unsupported */};

inline constexpr std::size_t max_frames = 4096;
// Packets fed per input, repeats included: enough to pass the clean-up once, few enough that each input
// runs in milliseconds.
inline constexpr std::size_t max_packets = 1100;
inline constexpr std::int64_t default_start_seconds = 1'700'000'000;

struct FuzzSettings {
  std::uint32_t link_type = lt::ethernet;
  bool text = false;
  bool absolute = false;
  unsigned repeat = 1;
};

struct FuzzInput {
  FuzzSettings settings;
  std::vector<lab::decode::Frame> frames;  // views into the input bytes
};

// Parses an input; never fails (every byte string is some input).
inline FuzzInput parse_fuzz_input(std::span<const std::uint8_t> in) {
  FuzzInput result;
  std::size_t pos = 0;
  auto u8 = [&]() -> std::uint8_t { return pos < in.size() ? in[pos++] : 0; };
  auto be16 = [&]() -> std::uint16_t {
    const std::uint16_t hi = u8();
    return static_cast<std::uint16_t>((hi << 8) | u8());
  };
  const std::uint8_t settings = u8();
  result.settings.link_type = link_types[(settings & 0x0F) % link_types.size()];
  result.settings.text = (settings & 0x10) != 0;
  result.settings.absolute = (settings & 0x20) != 0;
  if (settings & 0x40) result.settings.repeat = 1 + 8u * u8();
  std::int64_t seconds = default_start_seconds;
  if (settings & 0x80) {
    const std::uint32_t hi = be16();
    seconds = static_cast<std::int64_t>((hi << 16) | be16());
  }
  std::int64_t time_ns = seconds * 1'000'000'000;
  while (pos < in.size() && result.frames.size() < max_frames) {
    const auto step = static_cast<std::int8_t>(u8());
    time_ns = std::max<std::int64_t>(0, time_ns + std::int64_t{step} * 1'000'000);
    const std::size_t caplen = be16();
    const std::uint16_t extra = be16();
    const std::size_t start = std::min(pos, in.size());
    const std::size_t len = std::min(caplen, in.size() - start);
    lab::decode::Frame frame;
    frame.time_ns = time_ns;
    frame.link_type = result.settings.link_type;
    frame.wire_len = extra == 0xFFFF ? 0 : static_cast<std::uint32_t>(len + extra);
    frame.bytes = in.subspan(start, len);
    result.frames.push_back(frame);
    pos = start + len;
  }
  return result;
}

// The encoder, for seeds: settings byte, then one record per frame.
inline std::uint8_t settings_byte(std::uint32_t link_type, bool text) {
  std::uint8_t index = 0;
  for (std::size_t i = 0; i < link_types.size(); ++i)
    if (link_types[i] == link_type) index = static_cast<std::uint8_t>(i);
  return static_cast<std::uint8_t>(index | (text ? 0x10 : 0));
}

inline void append_record(std::vector<std::uint8_t>& out, std::int64_t step_ms, std::span<const std::uint8_t> bytes,
                          std::uint32_t wire_len) {
  out.push_back(static_cast<std::uint8_t>(static_cast<std::int8_t>(std::clamp<std::int64_t>(step_ms, -128, 127))));
  const std::size_t len = std::min<std::size_t>(bytes.size(), 0xFFFF);
  out.push_back(static_cast<std::uint8_t>(len >> 8));
  out.push_back(static_cast<std::uint8_t>(len & 0xFF));
  const std::uint32_t extra =
      wire_len == 0 ? 0xFFFF : wire_len <= len ? 0 : std::min<std::uint32_t>(wire_len - static_cast<std::uint32_t>(len), 0xFFFE);
  out.push_back(static_cast<std::uint8_t>(extra >> 8));
  out.push_back(static_cast<std::uint8_t>(extra & 0xFF));
  out.insert(out.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
}

}  // namespace lab::fuzz
