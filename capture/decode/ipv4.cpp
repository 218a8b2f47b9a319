// IPv4 header, RFC 791 section 3.1:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |Version|  IHL  |Type of Service|          Total Length         |
//   |         Identification        |Flags|      Fragment Offset    |
//   |  Time to Live |    Protocol   |         Header Checksum       |
//   |                       Source Address                          |
//   |                    Destination Address                        |
//   |                    Options (IHL > 5)                          |
#include "capture/decode/ipv4.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {

Ipv4Result decode_ipv4(std::span<const std::uint8_t> bytes) {
  Ipv4Result result;
  const std::size_t captured = bytes.size();

  // A wrong version means this is not an IPv4 header at all; say so before complaining about its length.
  if (captured >= 1 && (bytes[0] >> 4) != 4) {
    result.error = decode_error(Layer::ipv4, ErrorKind::invalid, 20, captured, "IPv4 header whose version is not 4");
    return result;
  }

  // The fixed 20 bytes, every field read in order. The reader fails once and stays failed, so one ok()
  // check at the end covers all of them.
  ByteReader reader(bytes);
  Ipv4Header h;
  const std::uint8_t version_ihl = reader.u8();
  h.ihl = version_ihl & 0x0F;
  h.tos = reader.u8();
  h.total_length = reader.be16();
  h.identification = reader.be16();
  const std::uint16_t flags_fragment = reader.be16();
  h.dont_fragment = (flags_fragment & 0x4000) != 0;
  h.more_fragments = (flags_fragment & 0x2000) != 0;
  h.fragment_offset = flags_fragment & 0x1FFF;
  h.ttl = reader.u8();
  h.protocol = reader.u8();
  h.checksum = reader.be16();
  const auto src = reader.take(4);
  const auto dst = reader.take(4);
  if (!reader.ok()) {
    result.error = decode_error(Layer::ipv4, ErrorKind::truncated, 20, captured, "IPv4 header cut short by the capture");
    return result;
  }
  h.src = IpAddress::v4(src.first<4>());
  h.dst = IpAddress::v4(dst.first<4>());
  h.header_len = std::uint32_t{h.ihl} * 4;

  // Lies the header tells about itself, independent of how much was captured.
  if (h.ihl < 5) {
    result.error = decode_error(Layer::ipv4, ErrorKind::invalid, 20, h.header_len, "IPv4 header length (IHL) below 5");
    return result;
  }
  // Total length 0 is what a capture shows for a TCP segmentation offload (TSO) super-packet: the NIC fills
  // the length in later. Accept it and measure the packet by what was captured instead.
  const bool tso = h.total_length == 0;
  if (!tso && h.total_length < h.header_len) {
    result.error = decode_error(Layer::ipv4, ErrorKind::invalid, h.header_len, h.total_length,
                              "IPv4 total length shorter than its own header");
    return result;
  }

  // From here the header is sane; keep it even if its options were cut.
  h.options = bytes.subspan(20, std::min<std::size_t>(h.header_len, captured) - 20);
  result.header = h;
  if (captured < h.header_len) {
    result.error = decode_error(Layer::ipv4, ErrorKind::truncated, h.header_len, captured, "IPv4 options cut short by the capture");
    return result;
  }

  // Two lengths: the declared end (total_length) and the captured end. The payload view stops at the
  // smaller one; Ethernet padding after total_length is not payload, and a snap length may cut it early.
  const std::size_t declared_end = tso ? captured : h.total_length;
  result.payload_len = static_cast<std::uint32_t>(declared_end - h.header_len);
  result.payload = bytes.subspan(h.header_len, std::min(declared_end, captured) - h.header_len);
  return result;
}

}  // namespace lab::decode
