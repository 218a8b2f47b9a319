// TCP header, RFC 9293 section 3.1:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |          Source Port          |       Destination Port        |
//   |                        Sequence Number                        |
//   |                    Acknowledgment Number                      |
//   |  Data |       |C|E|U|A|P|R|S|F|                               |
//   | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
//   |           Checksum            |         Urgent Pointer        |
//   |                    Options (data offset > 5)                  |
//
// The header is validated once (20 bytes present, data offset >= 5, header inside the segment, header
// captured) and then the options are walked with their own reader bounded by the header length.
#include "capture/decode/tcp.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

namespace option_kind {
inline constexpr std::uint8_t eol = 0;             // end of option list
inline constexpr std::uint8_t nop = 1;             // one byte of padding, to align the next option
inline constexpr std::uint8_t mss = 2;             // maximum segment size (SYN only)
inline constexpr std::uint8_t window_scale = 3;    // RFC 7323 2
inline constexpr std::uint8_t sack_permitted = 4;  // RFC 2018 2
inline constexpr std::uint8_t sack = 5;            // RFC 2018 3
inline constexpr std::uint8_t timestamps = 8;      // RFC 7323 3
}  // namespace option_kind

constexpr std::uint32_t fixed_header_len = 20;

// Offsets are from the start of the TCP header; decode_packet adds where that header sits in the frame.
// The length an option of a known kind must have; 0 for kinds we only skip.
std::size_t expected_length(std::uint8_t kind) {
  switch (kind) {
    case option_kind::mss: return 4;
    case option_kind::window_scale: return 3;
    case option_kind::sack_permitted: return 2;
    case option_kind::timestamps: return 10;
    default: return 0;
  }
}

// Walk the options (the header bytes after the fixed 20). Options decoded before a malformed one are kept
// in `options`; the malformed one ends the walk and is returned as the error.
std::optional<DecodeError> parse_options(std::span<const std::uint8_t> bytes, TcpOptions& options) {
  ByteReader reader(bytes);
  while (reader.remaining() > 0) {
    const std::size_t start = fixed_header_len + reader.position();  // for error messages
    const std::uint8_t kind = reader.u8();
    if (kind == option_kind::eol) {
      options.eol = true;  // the rest of the header is padding
      break;
    }
    if (kind == option_kind::nop) {
      if (options.nop_count < 255) ++options.nop_count;
      continue;
    }
    // Every other option is kind, length (counting both bytes), then length - 2 bytes of data.
    if (reader.remaining() == 0) {
      return decode_error(Layer::tcp, ErrorKind::invalid, start + 2, start + 1, "TCP option length missing at the end of the header");
    }
    const std::uint8_t length = reader.u8();
    if (length < 2) {
      // A length of 0 or 1 cannot even cover kind and length; walking on would loop forever or go backwards.
      return decode_error(Layer::tcp, ErrorKind::invalid, 2, length, "TCP option length below 2");
    }
    if (length - 2u > reader.remaining()) {
      return decode_error(Layer::tcp, ErrorKind::invalid, start + length, fixed_header_len + bytes.size(),
                       "TCP option runs past the end of the header");
    }
    const std::size_t expected = expected_length(kind);
    if (expected != 0 && length != expected) {
      return decode_error(Layer::tcp, ErrorKind::invalid, expected, length, "TCP option has the wrong length for its kind");
    }
    ByteReader data(reader.take(length - 2u));
    switch (kind) {
      case option_kind::mss: options.mss = data.be16(); break;
      case option_kind::window_scale: options.window_scale = data.u8(); break;
      case option_kind::sack_permitted: options.sack_permitted = true; break;
      case option_kind::timestamps:
        options.has_timestamps = true;
        options.ts_val = data.be32();
        options.ts_ecr = data.be32();
        break;
      case option_kind::sack: {
        // 2 + 8n bytes: n (left, right) edge pairs. 40 option bytes hold at most 4 blocks.
        const std::size_t blocks = (length - 2u) / 8;
        if ((length - 2u) % 8 != 0 || blocks == 0 || blocks > 4) {
          return decode_error(Layer::tcp, ErrorKind::invalid, 2 + 8 * std::clamp<std::size_t>(blocks, 1, 4), length,
                           "TCP SACK option length is not 2 + 8 per block");
        }
        options.sack_count = static_cast<std::uint8_t>(blocks);
        for (std::size_t i = 0; i < blocks; ++i) {
          options.sack[i].left = data.be32();
          options.sack[i].right = data.be32();
        }
        break;
      }
      default:
        if (options.unknown_count < 255) ++options.unknown_count;  // skipped by its length
        break;
    }
  }
  return std::nullopt;
}

}  // namespace

TcpResult decode_tcp(std::span<const std::uint8_t> bytes, std::uint32_t segment_len) {
  TcpResult result;
  // The IP layer already stopped at its declared end; stop here too, so nothing past the segment is read.
  bytes = bytes.first(std::min<std::size_t>(bytes.size(), segment_len));
  const std::size_t captured = bytes.size();

  if (segment_len < fixed_header_len) {
    result.error = decode_error(Layer::tcp, ErrorKind::invalid, fixed_header_len, segment_len,
                             "IP payload too short to hold a TCP header");
    return result;
  }

  ByteReader reader(bytes);
  TcpHeader h;
  h.src_port = reader.be16();
  h.dst_port = reader.be16();
  h.seq = reader.be32();
  h.ack = reader.be32();
  h.data_offset = reader.u8() >> 4;  // the low 4 bits are reserved (and AccECN's AE bit): not read
  h.flags = reader.u8();
  h.window = reader.be16();
  h.checksum = reader.be16();
  h.urgent_pointer = reader.be16();
  if (!reader.ok()) {
    result.error = decode_error(Layer::tcp, ErrorKind::truncated, fixed_header_len, captured, "TCP header cut short by the capture");
    return result;
  }
  h.header_len = std::uint32_t{h.data_offset} * 4;

  if (h.data_offset < 5) {
    result.error = decode_error(Layer::tcp, ErrorKind::invalid, fixed_header_len, h.header_len, "TCP data offset below 5");
    return result;
  }
  if (h.header_len > segment_len) {
    result.header = h;
    result.error = decode_error(Layer::tcp, ErrorKind::invalid, h.header_len, segment_len,
                             "TCP data offset points past the end of the segment");
    return result;
  }
  if (h.header_len > captured) {
    result.header = h;
    result.error = decode_error(Layer::tcp, ErrorKind::truncated, h.header_len, captured, "TCP options cut short by the capture");
    return result;
  }

  // The header is sound, so the payload's place is known even if an option turns out malformed.
  result.payload_len = segment_len - h.header_len;
  result.payload = bytes.subspan(h.header_len);
  result.error = parse_options(bytes.subspan(fixed_header_len, h.header_len - fixed_header_len), h.options);
  result.header = h;
  return result;
}

}  // namespace lab::decode
