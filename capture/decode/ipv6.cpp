// IPv6 header, RFC 8200 section 3, then the extension-header chain of section 4:
//
//   |Version| Traffic Class |           Flow Label                  |
//   |         Payload Length        |  Next Header  |   Hop Limit   |
//   |                 Source Address (16 bytes)                     |
//   |              Destination Address (16 bytes)                   |
//
// Each extension header starts with (Next Header, Hdr Ext Len), so the chain is walked like a linked list
// until a header that is not an extension (TCP, UDP, ICMPv6...) or one we cannot look past (ESP).
#include "capture/decode/ipv6.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

namespace next_header {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t routing = 43;
inline constexpr std::uint8_t fragment = 44;
inline constexpr std::uint8_t esp = 50;  // encrypted: what follows cannot be read, so the walk stops here
inline constexpr std::uint8_t ah = 51;
inline constexpr std::uint8_t destination_options = 60;
inline constexpr std::uint8_t mobility = 135;
}  // namespace next_header

// A chain longer than this is an attack or garbage, not a packet a student will meet.
constexpr int max_extension_headers = 16;

constexpr std::size_t fixed_header_len = 40;

DecodeError ipv6_error(ErrorKind kind, std::size_t offset, std::size_t needed, std::size_t present,
                       const char* what) {
  return DecodeError{.layer = Layer::ipv6,
                     .kind = kind,
                     .offset = static_cast<std::uint32_t>(offset),
                     .needed = static_cast<std::uint32_t>(needed),
                     .present = static_cast<std::uint32_t>(present),
                     .what = what};
}

bool is_extension_header(std::uint8_t value) {
  switch (value) {
    case next_header::hop_by_hop:
    case next_header::routing:
    case next_header::fragment:
    case next_header::ah:
    case next_header::destination_options:
    case next_header::mobility: return true;
    default: return false;
  }
}

}  // namespace

Ipv6Result decode_ipv6(std::span<const std::uint8_t> bytes) {
  Ipv6Result result;
  const std::size_t captured = bytes.size();

  if (captured >= 1 && (bytes[0] >> 4) != 6) {
    result.error =
        ipv6_error(ErrorKind::invalid, 0, fixed_header_len, captured, "IPv6 header whose version is not 6");
    return result;
  }

  ByteReader reader(bytes);
  Ipv6Header h;
  const std::uint32_t version_class_flow = reader.be32();
  h.traffic_class = static_cast<std::uint8_t>((version_class_flow >> 20) & 0xFF);
  h.flow_label = version_class_flow & 0xFFFFF;
  h.payload_length = reader.be16();
  h.next_header = reader.u8();
  h.hop_limit = reader.u8();
  const auto src = reader.take(16);
  const auto dst = reader.take(16);
  if (!reader.ok()) {
    result.error =
        ipv6_error(ErrorKind::truncated, 0, fixed_header_len, captured, "IPv6 header cut short by the capture");
    return result;
  }
  h.src = IpAddress::v6(src.first<16>());
  h.dst = IpAddress::v6(dst.first<16>());

  // Two ends: the one the header declares and the one the capture reached. Payload length 0 (a jumbogram,
  // or a TSO capture) declares nothing, so the capture decides.
  const bool length_declared = h.payload_length != 0;
  const std::size_t declared_end = length_declared ? fixed_header_len + h.payload_length : captured;

  std::uint8_t next = h.next_header;
  std::size_t pos = fixed_header_len;
  while (is_extension_header(next)) {
    h.header_len = static_cast<std::uint32_t>(pos);  // what was walked, kept if the next header is bad
    if (h.extension_count == max_extension_headers) {
      result.header = h;
      result.error = ipv6_error(ErrorKind::invalid, pos, 0, 0, "IPv6 extension header chain too long");
      return result;
    }
    // Every extension header begins with Next Header and Hdr Ext Len; its full length follows from those,
    // so until both bytes are known the header needs 2 bytes.
    ByteReader ext(bytes.subspan(pos));
    const std::uint8_t following = ext.u8();
    const std::uint8_t ext_len = ext.u8();
    std::size_t needed = 2;
    if (ext.ok() && next == next_header::fragment) {
      needed = 8;  // fixed size; its second byte is reserved
    } else if (ext.ok() && next == next_header::ah) {
      needed = (std::size_t{ext_len} + 2) * 4;  // RFC 4302 2.2: in 4-byte units, minus 2
    } else if (ext.ok()) {
      needed = (std::size_t{ext_len} + 1) * 8;  // RFC 8200 4.3: in 8-byte units, not counting the first 8
    }
    if (length_declared && pos + needed > declared_end) {
      result.header = h;
      result.error = ipv6_error(ErrorKind::invalid, pos, needed, declared_end - pos,
                                "IPv6 extension header runs past the payload length");
      return result;
    }
    if (pos + needed > captured) {
      result.header = h;
      result.error = ipv6_error(ErrorKind::truncated, pos, needed, captured - pos,
                                "IPv6 extension header cut short by the capture");
      return result;
    }
    if (next == next_header::fragment) {
      // RFC 8200 4.5: Fragment Offset (13 bits, 8-byte units), 2 reserved bits, M flag; Identification.
      const std::uint16_t offset_flags = ext.be16();
      h.is_fragment = true;
      h.fragment_offset = offset_flags >> 3;
      h.more_fragments = (offset_flags & 1) != 0;
      h.fragment_id = ext.be32();
      h.fragment_next_header = following;
      h.fragment_data_start = static_cast<std::uint32_t>(pos + needed);
    }
    ++h.extension_count;
    pos += needed;
    next = following;
    // In a later fragment the bytes after the Fragment header are the middle of the original packet, not
    // headers: stop walking.
    if (h.is_fragment && h.fragment_offset != 0) break;
  }

  h.protocol = next;
  h.header_len = static_cast<std::uint32_t>(pos);
  result.header = h;
  result.payload_len = static_cast<std::uint32_t>(declared_end - pos);
  result.payload = bytes.subspan(pos, std::min(declared_end, captured) - pos);
  return result;
}

}  // namespace lab::decode
