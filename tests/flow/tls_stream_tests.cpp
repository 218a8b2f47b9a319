// TLS followed over TCP by the tracker: records cut anywhere by segment boundaries, the hellos read in clear, the
// keys changing (1.3's ServerHello, 1.2's ChangeCipherSpec), encrypted records counted, retransmissions, gaps, and
// bytes that are not TLS.
#include <string>
#include <vector>

#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/tls_bytes.hpp"

using namespace lab::test;
using lab::flow::HttpStop;
using lab::flow::Observation;
using lab::flow::Tracker;
using lab::test::tls::Bytes;
using lab::test::tls::record;

namespace {

struct Connection {
  Tracker tracker;
  std::uint32_t packet = 0;
  std::uint32_t client_seq = 1000, server_seq = 5000;
  std::vector<std::string> kept;

  Connection() {
    send_raw(client_ep, server_ep, client_seq++, 0, SYN, "");
    send_raw(server_ep, client_ep, server_seq++, client_seq, SYN | ACK, "");
    send_raw(client_ep, server_ep, client_seq, server_seq, ACK, "");
  }
  Observation send_raw(const lab::flow::Endpoint& src, const lab::flow::Endpoint& dst, std::uint32_t seq,
                       std::uint32_t ack, std::uint8_t flags, std::string payload) {
    kept.push_back(std::move(payload));
    const std::string& bytes = kept.back();
    const auto len = static_cast<std::uint32_t>(bytes.size());
    ++packet;
    return tracker.observe(packet, packet * 1000000, 54 + len, tcp(src, dst, seq, ack, flags, len, bytes));
  }
  Observation send(bool from_client, const Bytes& bytes) {
    const std::string data(bytes.begin(), bytes.end());
    std::uint32_t& seq = from_client ? client_seq : server_seq;
    const Observation o = from_client ? send_raw(client_ep, server_ep, seq, server_seq, ACK | PSH, data)
                                      : send_raw(server_ep, client_ep, seq, client_seq, ACK | PSH, data);
    seq += static_cast<std::uint32_t>(data.size());
    return o;
  }
};

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

Bytes part(const Bytes& b, std::size_t from, std::size_t to) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(from), b.begin() + static_cast<std::ptrdiff_t>(std::min(to, b.size())));
}

const Bytes client_hello = record(22, tls::client_hello_message(), 0x0301);
const Bytes server_flight = cat({record(22, tls::server_hello_message(0x0304)), record(20, Bytes{1}),
                                 record(23, Bytes(120, 0x5A)), record(23, Bytes(400, 0x5B))});

}  // namespace

TEST_CASE("tls stream: the TLS 1.3 handshake, each flight in one segment") {
  Connection c;
  const Observation hello = c.send(true, client_hello);
  REQUIRE(hello.tls.carries);
  REQUIRE(hello.tls.record_count == 1);
  CHECK(hello.tls.records[0].content_type == 22);
  CHECK(hello.tls.records[0].version == 0x0301);
  CHECK_FALSE(hello.tls.records[0].encrypted);
  REQUIRE(hello.tls.hello_count == 1);
  CHECK(hello.tls.hellos[0].server_name.view() == "example.org");
  CHECK(hello.tls.hellos[0].alpn.view() == "h2, http/1.1");
  CHECK(hello.tls.hellos[0].supported_version_count == 2);
  CHECK(hello.tls.negotiated_version == 0);
  CHECK_FALSE(hello.http.carries);

  const Observation flight = c.send(false, server_flight);
  REQUIRE(flight.tls.record_count == 4);
  CHECK(flight.tls.hello_count == 1);
  CHECK(flight.tls.hellos[0].version == 0x0304);
  CHECK(flight.tls.hellos[0].cipher_suite == 0x1302);
  CHECK(flight.tls.negotiated_version == 0x0304);
  CHECK(flight.tls.records[1].content_type == 20);
  CHECK_FALSE(flight.tls.records[1].encrypted);  // the compatibility ChangeCipherSpec is not encrypted
  CHECK(flight.tls.records[2].encrypted);
  CHECK(flight.tls.records[3].length == 400);

  // The client's Finished, in TLS 1.3: an application_data record like any other.
  const Observation finished = c.send(true, cat({record(20, Bytes{1}), record(23, Bytes(53, 1))}));
  REQUIRE(finished.tls.record_count == 2);
  CHECK(finished.tls.records[1].encrypted);
  CHECK(finished.tls.hello_count == 0);
}

TEST_CASE("tls stream: records cut at every byte are read once whole, where they end") {
  const Bytes both = cat({client_hello, record(23, Bytes(30, 9))});
  for (std::size_t cut = 1; cut < both.size(); cut += 3) {
    Connection c;
    const Observation first = c.send(true, part(both, 0, cut));
    const Observation second = c.send(true, part(both, cut, both.size()));
    INFO("cut at " << cut);
    const std::size_t whole_in_first = cut >= client_hello.size() ? 1u : 0u;
    CHECK(first.tls.record_count == whole_in_first);
    CHECK(second.tls.record_count == 2 - whole_in_first);
    CHECK(first.tls.hello_count + second.tls.hello_count == 1);
    if (cut < client_hello.size()) {
      // Known to be TLS once a whole header is there.
      if (cut >= 5) CHECK(first.tls.record_in_progress_from == first.tcp.packet_index);
      CHECK(second.tls.records[0].segments == 2);
      CHECK(second.tls.records[0].from_packet == first.tcp.packet_index);
    }
  }
}

TEST_CASE("tls stream: TLS 1.2, whose handshake stays in clear until each side's ChangeCipherSpec") {
  Connection c;
  c.send(true, client_hello);
  Bytes certificate;
  tls::put8(certificate, 11);
  tls::append(certificate, tls::with_length(3, Bytes(200, 3)));
  Bytes done;
  tls::put8(done, 14);
  tls::put24(done, 0);
  const Observation server = c.send(false, record(22, cat({tls::server_hello_message(0), certificate, done})));
  REQUIRE(server.tls.hello_count == 1);
  CHECK(server.tls.hellos[0].version == 0x0303);
  REQUIRE(server.tls.other_handshake_count == 2);
  CHECK(server.tls.other_handshake_types[0] == 11);
  CHECK(server.tls.other_handshake_types[1] == 14);
  const Observation keys = c.send(true, cat({record(20, Bytes{1}), record(22, Bytes(40, 7))}));
  REQUIRE(keys.tls.record_count == 2);
  CHECK_FALSE(keys.tls.records[0].encrypted);
  CHECK(keys.tls.records[1].encrypted);  // Finished, after the client's ChangeCipherSpec
  CHECK(keys.tls.other_handshake_count == 0);
  // An alert in clear (before any ChangeCipherSpec of the server): read; after it, encrypted.
  Connection refused;
  refused.send(true, client_hello);
  const Observation alert = refused.send(false, record(21, Bytes{2, 40}));
  CHECK(alert.tls.alert);
  CHECK(alert.tls.alert_level == 2);
  CHECK(alert.tls.alert_description == 40);
}

TEST_CASE("tls stream: a retransmission, a gap inside an encrypted record, a gap before a header") {
  Connection c;
  c.send(true, client_hello);
  const Observation again = c.send_raw(client_ep, server_ep, c.client_seq - static_cast<std::uint32_t>(client_hello.size()),
                                       c.server_seq, ACK | PSH, std::string(client_hello.begin(), client_hello.end()));
  CHECK(again.tls.copy);
  CHECK(again.tls.record_count == 0);
  c.send(false, server_flight);
  const Bytes big = record(23, Bytes(300, 4));
  c.send(true, part(big, 0, 100));
  c.client_seq += 100;  // bytes 100..199 of the record never captured
  const Observation rest = c.send(true, part(big, 200, big.size()));
  REQUIRE(rest.tls.record_count == 1);
  CHECK(rest.tls.records[0].length == 300);
  CHECK(rest.tls.stopped == HttpStop::none);
  c.client_seq += 7;  // the next header is missing
  const Observation lost = c.send(true, record(23, Bytes(10, 1)));
  CHECK(lost.tls.stopped == HttpStop::gap);
}

TEST_CASE("tls stream: bytes that are not TLS are left alone, and a broken header after TLS is named") {
  for (const std::string& first : {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("Hello?"), std::string("\x16\x03\x09\x00\x01x", 6),
                                   std::string("\x16\x03\x01\x00\x00", 5)}) {  // an empty first record: Skype's disguise
    Connection c;
    const Observation o = c.send(true, Bytes(first.begin(), first.end()));
    CHECK_FALSE(o.tls.carries);
  }
  Connection c;
  c.send(true, client_hello);
  const std::string junk = "not a record";
  const Observation o = c.send(true, Bytes(junk.begin(), junk.end()));
  CHECK(o.tls.stopped == HttpStop::malformed);
}

TEST_CASE("tls stream: after a HelloRetryRequest, the dummy ChangeCipherSpecs change no keys, and the second hellos are read") {
  Connection c;
  c.send(true, client_hello);
  const Observation retry = c.send(false, cat({record(22, tls::server_hello_message(0x0304, true)), record(20, Bytes{1})}));
  REQUIRE(retry.tls.hello_count == 1);
  CHECK(retry.tls.hellos[0].hello_retry_request);
  CHECK(retry.tls.tls13_compat);
  const Observation again = c.send(true, cat({record(20, Bytes{1}), record(22, tls::client_hello_message())}));
  REQUIRE(again.tls.record_count == 2);
  CHECK_FALSE(again.tls.records[1].encrypted);
  CHECK(again.tls.hello_count == 1);  // the second ClientHello, in clear
  const Observation server = c.send(false, record(22, tls::server_hello_message(0x0304)));
  REQUIRE(server.tls.hello_count == 1);
  CHECK(server.tls.hellos[0].version == 0x0304);
  CHECK(server.tls.negotiated_version == 0x0304);
}
