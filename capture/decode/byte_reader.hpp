#pragma once
// The one way the decoders read untrusted bytes: a bounds-checked cursor over a span.
//
// Every read checks `n <= size - pos` first (no overflow possible), and after one failed read every later
// read fails too, so a decoder can read a whole header and test ok() once at the end. Integers are built
// from bytes with shifts: no casts of packed structs, no alignment or endianness assumptions.
#include <cstddef>
#include <cstdint>
#include <span>

namespace lab::decode {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return ok_ ? bytes_.size() - pos_ : 0; }

  std::uint8_t u8() {
    if (!need(1)) return 0;
    return bytes_[pos_++];
  }
  std::uint16_t be16() {
    if (!need(2)) return 0;
    const auto v = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  std::uint32_t be32() {
    if (!need(4)) return 0;
    const std::uint32_t v = (std::uint32_t{bytes_[pos_]} << 24) | (std::uint32_t{bytes_[pos_ + 1]} << 16) |
                            (std::uint32_t{bytes_[pos_ + 2]} << 8) | std::uint32_t{bytes_[pos_ + 3]};
    pos_ += 4;
    return v;
  }
  std::uint16_t le16() {
    if (!need(2)) return 0;
    const auto v = static_cast<std::uint16_t>(bytes_[pos_] | (bytes_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  std::uint32_t le32() {
    if (!need(4)) return 0;
    const std::uint32_t v = std::uint32_t{bytes_[pos_]} | (std::uint32_t{bytes_[pos_ + 1]} << 8) |
                            (std::uint32_t{bytes_[pos_ + 2]} << 16) | (std::uint32_t{bytes_[pos_ + 3]} << 24);
    pos_ += 4;
    return v;
  }
  void skip(std::size_t n) {
    if (need(n)) pos_ += n;
  }
  // The next n bytes as a view (no copy); empty and failed if fewer remain.
  std::span<const std::uint8_t> take(std::size_t n) {
    if (!need(n)) return {};
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  // Everything not yet read, as a view.
  std::span<const std::uint8_t> rest() const { return ok_ ? bytes_.subspan(pos_) : std::span<const std::uint8_t>{}; }

 private:
  bool need(std::size_t n) {
    if (ok_ && n <= bytes_.size() - pos_) return true;
    ok_ = false;
    return false;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace lab::decode
