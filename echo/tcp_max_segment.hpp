#pragma once
// TCP_MAXSEG as an Asio socket option, which Asio does not name: `socket.set_option(TcpMaxSegment(1000))`
// before connect() or listen() makes the SYN (or SYN-ACK) announce that MSS (RFC 9293 section 3.7.1), so
// that the peer sends segments no larger; `get_option` on a connection gives the MSS in use.
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstddef>
#include <stdexcept>

namespace lab::echo {

// The shape Asio asks of a socket option (its SettableSocketOption and GettableSocketOption).
class TcpMaxSegment {
 public:
  TcpMaxSegment() = default;
  explicit TcpMaxSegment(int bytes) : bytes_(bytes) {}
  int value() const { return bytes_; }

  template <class Protocol> int level(const Protocol&) const { return IPPROTO_TCP; }
  template <class Protocol> int name(const Protocol&) const { return TCP_MAXSEG; }
  template <class Protocol> int* data(const Protocol&) { return &bytes_; }
  template <class Protocol> const int* data(const Protocol&) const { return &bytes_; }
  template <class Protocol> std::size_t size(const Protocol&) const { return sizeof bytes_; }
  template <class Protocol> void resize(const Protocol&, std::size_t size) {
    if (size != sizeof bytes_) throw std::length_error("TCP_MAXSEG: unexpected option size");
  }

 private:
  int bytes_ = 0;
};

}  // namespace lab::echo
