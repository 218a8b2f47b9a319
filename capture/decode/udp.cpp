// UDP header, RFC 768:
//
//   |          Source Port          |       Destination Port        |
//   |            Length             |           Checksum            |
//
// Length covers header and data, so it is at least 8; it must also fit in what IP says it carries.
#include "capture/decode/udp.hpp"

#include <algorithm>

#include "capture/decode/byte_reader.hpp"

namespace lab::decode {
namespace {

constexpr std::uint32_t header_len = 8;

}  // namespace

UdpResult decode_udp(std::span<const std::uint8_t> bytes, std::uint32_t datagram_len, bool first_fragment) {
  UdpResult result;
  bytes = bytes.first(std::min<std::size_t>(bytes.size(), datagram_len));
  const std::size_t captured = bytes.size();

  if (datagram_len < header_len) {
    result.error = decode_error(Layer::udp, ErrorKind::invalid, header_len, datagram_len, "IP payload too short to hold a UDP header");
    return result;
  }

  ByteReader reader(bytes);
  UdpHeader h;
  h.src_port = reader.be16();
  h.dst_port = reader.be16();
  h.length = reader.be16();
  h.checksum = reader.be16();
  if (!reader.ok()) {
    result.error = decode_error(Layer::udp, ErrorKind::truncated, header_len, captured, "UDP header cut short by the capture");
    return result;
  }
  // All 8 bytes are fixed fields, so the ports stay meaningful even when the length field lies.
  result.header = h;

  if (h.length < header_len) {
    result.error = decode_error(Layer::udp, ErrorKind::invalid, header_len, h.length, "UDP length below 8");
    return result;
  }
  if (h.length > datagram_len && first_fragment) {
    // Normal: the datagram continues in later fragments. Only this fragment's part of the data is here.
    result.payload_len = datagram_len - header_len;
    result.payload = reader.rest();
    return result;
  }
  if (h.length > datagram_len) {
    // Keep what IP carried as the payload, and say the UDP length is wrong.
    result.payload_len = datagram_len - header_len;
    result.payload = reader.rest();
    result.error = decode_error(Layer::udp, ErrorKind::invalid, h.length, datagram_len, "UDP length longer than the IP payload");
    return result;
  }
  // Clamp to the UDP length (IP may carry padding after it) and to what was captured.
  result.payload_len = h.length - header_len;
  result.payload = bytes.subspan(header_len, std::min<std::size_t>(h.length, captured) - header_len);
  return result;
}

}  // namespace lab::decode
