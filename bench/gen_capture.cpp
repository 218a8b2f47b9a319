// lab_gen_capture: writes a synthetic loopback capture for the `lab annotate` benchmark.
//
//   lab_gen_capture OUT.pcap [--packets N] [--concurrent C] [--seed S]
//
// What it holds (Ethernet frames with zero MACs, as Linux gives for lo; microsecond pcap, snap length 262144):
// about C (default 400) conversations open at any moment, their packets interleaved. Each TCP conversation
// is a handshake with Linux's SYN options (MSS, SACK permitted, timestamps, window scale 7), one to four
// request/response rounds (requests and responses of 1..1400 bytes per segment, HTTP-like text or binary,
// responses of one to four segments; the server sometimes sends a delayed pure ACK first, the client
// acknowledges with a pure ACK or on its next segment), then a FIN teardown (client or server first, in four
// packets or three when the second FIN carries the ACK), or now and then an RST; a few connections are
// refused (SYN, RST-ACK). When one ends a new one takes its slot on the next client port, so thousands of
// conversations start and finish over the file. About 8% of conversations are UDP (DNS queries and answers
// on port 53, or an echo on port 5005 whose reply repeats the request), about 10% of all run over IPv6.
//
// Deterministic: the same arguments give the same bytes on every machine (own PRNG, no <random>
// distributions, whose results differ between standard libraries). No 4-tuple is reused: when the client
// ports 32768..60999 run out the client address moves on (127.0.0.2, ...; fd00::2, ... for IPv6).
//
// Checksums: the IPv4 header checksum is correct; TCP and UDP checksum fields hold what Linux's checksum
// offload leaves on lo (the pseudo-header sum, not the full checksum), so they do not verify — as in a
// real loopback capture. Standard library only: this tool links nothing of the project.
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

// splitmix64: tiny, fast, and the same sequence everywhere.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  std::uint32_t between(std::uint32_t lo, std::uint32_t hi) { return lo + below(hi - lo + 1); }  // inclusive
  bool chance(std::uint32_t percent) { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

namespace flag {
constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10;
}

enum class Options : std::uint8_t { none, syn, timestamps };  // SYN/SYN-ACK set, or NOP NOP TS
enum class Content : std::uint8_t { text, binary, dns };

// One packet of a conversation's script; sequence and acknowledgement numbers are filled in when it is sent.
struct Step {
  bool from_client = true;
  std::uint8_t flags = 0;
  Options options = Options::timestamps;
  Content content = Content::text;
  std::uint16_t len = 0;
  std::uint32_t offset = 0;  // where its payload starts in its pool
};

struct Side {
  std::array<std::uint8_t, 16> ip{};  // IPv4 uses the first 4 bytes
  std::uint16_t port = 0;
  std::uint32_t next_seq = 0;
  std::uint32_t ts = 0;
  std::uint16_t ip_id = 0;
};

struct Conversation {
  bool tcp = true;
  bool v6 = false;
  Side client, server;
  std::vector<Step> steps;
  std::size_t next = 0;
  bool done() const { return next >= steps.size(); }
};

constexpr std::uint32_t pool_size = 1 << 16;  // payloads are slices of these pools

struct Pools {
  std::string text;
  std::string binary;
  std::string dns;                    // for each name a query (A, IN), then its answer
  std::vector<std::uint32_t> dns_at;  // where each DNS message starts in `dns`, and the end

  explicit Pools(Rng& rng) {
    static constexpr std::string_view lines[] = {
        "GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1256\r\n\r\n",
        "<!doctype html><html><head><title>lab</title></head><body><p>Hello, \"world\" & friends</p></body></html>\n",
        "POST /api/v1/items HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"name\":\"widget\",\"qty\":3}\n",
        "*3\r\n$3\r\nSET\r\n$5\r\nmykey\r\n$7\r\nmyvalue\r\n+OK\r\n",
        "Hello? Is anybody there?\tYes.\n",
        "The quick brown fox jumps over the lazy dog. 0123456789 ~!@#$%^&*()_+{}|:<>?\n",
    };
    while (text.size() < pool_size + 1500) text += lines[rng.below(std::size(lines))];
    binary.resize(pool_size + 1500);
    for (char& c : binary) c = static_cast<char>(rng.next() & 0xFF);
    build_dns();
  }

  // RFC 1035 4.1: a 12-byte header, the question, and in an answer one A record whose name points back to
  // the question (0xc00c).
  void build_dns() {
    static constexpr std::string_view names[] = {"localhost", "www.example.com", "db.internal.lan", "api.github.com",
                                                 "deb.debian.org", "a-very-long-host-name.service.consul"};
    std::uint16_t id = 0x1a2b;
    for (std::string_view name : names) {
      for (bool answer : {false, true}) {
        dns_at.push_back(static_cast<std::uint32_t>(dns.size()));
        const std::uint8_t header[12] = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id),
                                         static_cast<std::uint8_t>(answer ? 0x81 : 0x01),  // QR, RD
                                         static_cast<std::uint8_t>(answer ? 0x80 : 0x00),  // RA
                                         0, 1, 0, static_cast<std::uint8_t>(answer ? 1 : 0), 0, 0, 0, 0};
        dns.append(reinterpret_cast<const char*>(header), sizeof header);
        for (std::size_t start = 0; start <= name.size();) {  // the name as labels
          std::size_t dot = name.find('.', start);
          if (dot == std::string_view::npos) dot = name.size();
          dns += static_cast<char>(dot - start);
          dns.append(name.substr(start, dot - start));
          start = dot + 1;
        }
        dns.append("\0\0\x01\0\x01", 5);  // the root, type A, class IN
        if (answer) dns.append("\xc0\x0c\0\x01\0\x01\0\0\x0e\x10\0\x04\x7f\0\0\x01", 16);  // TTL 3600, 127.0.0.1
      }
      ++id;
    }
    dns_at.push_back(static_cast<std::uint32_t>(dns.size()));
  }

  const std::string& of(Content content) const {
    return content == Content::text ? text : content == Content::binary ? binary : dns;
  }
};

// Data segment sizes: mostly small requests and answers, some full segments (1..1400 bytes).
std::uint16_t data_len(Rng& rng) {
  const std::uint32_t r = rng.below(100);
  if (r < 50) return static_cast<std::uint16_t>(rng.between(1, 200));
  if (r < 80) return static_cast<std::uint16_t>(rng.between(200, 800));
  return static_cast<std::uint16_t>(rng.between(800, 1400));
}

Step data(Rng& rng, bool from_client, std::uint8_t flags, Content content) {
  return Step{from_client, flags, Options::timestamps, content, data_len(rng), rng.below(pool_size)};
}

Step control(bool from_client, std::uint8_t flags, Options options = Options::timestamps) {
  return Step{from_client, flags, options, Content::text, 0, 0};
}

void plan_tcp(Conversation& c, Rng& rng) {
  auto& s = c.steps;
  s.push_back(control(true, flag::syn, Options::syn));
  if (rng.chance(1)) {  // nothing listens: connection refused
    s.push_back(control(false, flag::rst | flag::ack, Options::none));
    return;
  }
  s.push_back(control(false, flag::syn | flag::ack, Options::syn));
  s.push_back(control(true, flag::ack));
  const Content content = rng.chance(70) ? Content::text : Content::binary;
  const std::uint32_t rounds = rng.between(1, 4);
  for (std::uint32_t r = 0; r < rounds; ++r) {
    s.push_back(data(rng, true, flag::ack | flag::psh, content));
    if (rng.chance(30)) s.push_back(control(false, flag::ack));  // a delayed ACK before the answer
    const std::uint32_t segments = rng.between(1, 4);
    for (std::uint32_t i = 0; i < segments; ++i) {
      const bool last = i + 1 == segments;
      s.push_back(data(rng, false, last ? flag::ack | flag::psh : flag::ack, content));
      if (!last && i % 2 == 1) s.push_back(control(true, flag::ack));  // an ACK every second segment
    }
    // The client acknowledges the answer with a pure ACK, or (40%) on its next request or its FIN.
    if (rng.chance(60)) s.push_back(control(true, flag::ack));
  }
  if (rng.chance(3)) {  // abort: RST instead of a goodbye
    s.push_back(control(rng.chance(50), flag::rst | flag::ack, Options::none));
    return;
  }
  const bool client_first = rng.chance(50);
  s.push_back(control(client_first, flag::fin | flag::ack));
  if (rng.chance(50)) s.push_back(control(!client_first, flag::ack));  // its application closes later
  s.push_back(control(!client_first, flag::fin | flag::ack));
  s.push_back(control(client_first, flag::ack));
}

void plan_udp(Conversation& c, Rng& rng, const Pools& pools) {
  const bool dns = c.server.port == 53;
  const std::uint32_t exchanges = rng.between(1, 3);
  for (std::uint32_t i = 0; i < exchanges; ++i) {
    Step query{true, 0, Options::none, Content::text, static_cast<std::uint16_t>(rng.between(1, 400)),
               rng.below(pool_size)};
    Step answer = query;  // an echo repeats the bytes
    answer.from_client = false;
    if (dns) {
      const std::uint32_t name = rng.below(static_cast<std::uint32_t>(pools.dns_at.size() / 2));
      const std::uint32_t* at = &pools.dns_at[2 * name];
      query = Step{true, 0, Options::none, Content::dns, static_cast<std::uint16_t>(at[1] - at[0]), at[0]};
      answer = Step{false, 0, Options::none, Content::dns, static_cast<std::uint16_t>(at[2] - at[1]), at[1]};
    }
    c.steps.push_back(query);
    c.steps.push_back(answer);
  }
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed), pools_(rng_) {}

  Conversation start() {
    Conversation c;
    c.tcp = !rng_.chance(8);
    c.v6 = rng_.chance(10);
    std::uint32_t& port = c.v6 ? next_port_v6_ : next_port_v4_;
    std::uint32_t& host = c.v6 ? host_v6_ : host_v4_;
    if (port > 60999) {
      port = 32768;
      ++host;
    }
    static constexpr std::uint16_t tcp_services[] = {80, 443, 8080, 3306, 5432, 65432};
    c.client.port = static_cast<std::uint16_t>(port++);
    c.server.port = c.tcp ? tcp_services[rng_.below(std::size(tcp_services))] : (rng_.chance(60) ? 53 : 5005);
    if (c.v6) {
      c.server.ip[15] = 1;  // ::1
      if (host == 1) {
        c.client.ip[15] = 1;
      } else {  // fd00::N
        c.client.ip[0] = 0xfd;
        c.client.ip[14] = static_cast<std::uint8_t>(host >> 8);
        c.client.ip[15] = static_cast<std::uint8_t>(host);
      }
    } else {
      c.server.ip = {127, 0, 0, 1};
      c.client.ip = {127, static_cast<std::uint8_t>(host >> 16), static_cast<std::uint8_t>(host >> 8),
                     static_cast<std::uint8_t>(host)};
    }
    for (Side* side : {&c.client, &c.server}) {
      side->next_seq = static_cast<std::uint32_t>(rng_.next());
      side->ts = static_cast<std::uint32_t>(rng_.next());
      side->ip_id = static_cast<std::uint16_t>(rng_.next());
    }
    if (c.tcp) plan_tcp(c, rng_);
    else plan_udp(c, rng_, pools_);
    return c;
  }

  Rng& rng() { return rng_; }

  // Builds the frame of the conversation's next step into `frame`.
  void build(Conversation& c, std::vector<std::uint8_t>& frame) {
    const Step& step = c.steps[c.next++];
    Side& from = step.from_client ? c.client : c.server;
    Side& to = step.from_client ? c.server : c.client;
    const auto* payload = reinterpret_cast<const std::uint8_t*>(pools_.of(step.content).data()) + step.offset;

    std::size_t options_len = 0;
    std::array<std::uint8_t, 20> options{};
    if (c.tcp) {
      from.ts += rng_.between(0, 2);
      std::size_t n = 0;
      auto u8 = [&](std::uint32_t v) { options[n++] = static_cast<std::uint8_t>(v); };
      auto be32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) u8(v >> shift);
      };
      if (step.options == Options::syn) {  // Linux's order: MSS, SACK permitted, timestamps, NOP, window scale
        const std::uint16_t mss = c.v6 ? 65476 : 65495;
        u8(2), u8(4), u8(mss >> 8), u8(mss);
        u8(4), u8(2);
        u8(8), u8(10), be32(from.ts), be32((step.flags & flag::ack) ? to.ts : 0);
        u8(1), u8(3), u8(3), u8(7);
      } else if (step.options == Options::timestamps) {
        u8(1), u8(1), u8(8), u8(10), be32(from.ts), be32(to.ts);
      }
      options_len = n;
    }
    const std::size_t transport_header = c.tcp ? 20 + options_len : 8;
    const std::size_t transport_len = transport_header + step.len;
    const std::size_t ip_header = c.v6 ? 40 : 20;
    frame.assign(14 + ip_header + transport_len, 0);
    std::uint8_t* p = frame.data();
    auto put16 = [](std::uint8_t* at, std::uint32_t v) {
      at[0] = static_cast<std::uint8_t>(v >> 8);
      at[1] = static_cast<std::uint8_t>(v);
    };
    auto put32 = [&](std::uint8_t* at, std::uint32_t v) {
      put16(at, v >> 16);
      put16(at + 2, v & 0xFFFF);
    };

    put16(p + 12, c.v6 ? 0x86DD : 0x0800);  // Ethernet: both MACs zero on lo
    std::uint8_t* ip = p + 14;
    const std::uint8_t protocol = c.tcp ? 6 : 17;
    std::uint32_t pseudo = protocol + static_cast<std::uint32_t>(transport_len);  // the pseudo-header's sum
    for (std::size_t i = 0; i < (c.v6 ? 16u : 4u); i += 2) {
      pseudo += (std::uint32_t{from.ip[i]} << 8 | from.ip[i + 1]) + (std::uint32_t{to.ip[i]} << 8 | to.ip[i + 1]);
    }
    while (pseudo > 0xFFFF) pseudo = (pseudo & 0xFFFF) + (pseudo >> 16);
    if (c.v6) {
      ip[0] = 0x60;
      put16(ip + 4, static_cast<std::uint32_t>(transport_len));
      ip[6] = protocol;
      ip[7] = 64;  // hop limit
      std::memcpy(ip + 8, from.ip.data(), 16);
      std::memcpy(ip + 24, to.ip.data(), 16);
    } else {
      ip[0] = 0x45;
      put16(ip + 2, static_cast<std::uint32_t>(20 + transport_len));
      put16(ip + 4, from.ip_id++);
      put16(ip + 6, 0x4000);  // don't fragment
      ip[8] = 64;             // TTL
      ip[9] = protocol;
      std::memcpy(ip + 12, from.ip.data(), 4);
      std::memcpy(ip + 16, to.ip.data(), 4);
      std::uint32_t sum = 0;
      for (int i = 0; i < 20; i += 2) sum += std::uint32_t{ip[i]} << 8 | ip[i + 1];
      while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
      put16(ip + 10, ~sum & 0xFFFF);
    }
    std::uint8_t* t = ip + ip_header;
    put16(t, from.port);
    put16(t + 2, to.port);
    if (c.tcp) {
      const bool syn = (step.flags & flag::syn) != 0;
      put32(t + 4, from.next_seq);
      put32(t + 8, (step.flags & flag::ack) ? to.next_seq : 0);  // in order on lo: it acknowledges everything
      t[12] = static_cast<std::uint8_t>((transport_header / 4) << 4);
      t[13] = step.flags;
      put16(t + 14, syn ? (c.v6 ? 65476 : 65495) : 512);  // 512 << 7 = 64 KiB once scaled
      put16(t + 16, pseudo);
      std::memcpy(t + 20, options.data(), options_len);
      from.next_seq += step.len + (syn ? 1 : 0) + ((step.flags & flag::fin) ? 1 : 0);
    } else {
      put16(t + 4, static_cast<std::uint32_t>(transport_len));
      put16(t + 6, pseudo);
    }
    std::memcpy(t + transport_header, payload, step.len);
  }

 private:
  Rng rng_;
  Pools pools_;
  std::uint32_t next_port_v4_ = 32768, next_port_v6_ = 32768;
  std::uint32_t host_v4_ = 1, host_v6_ = 1;
};

void put_le32(std::FILE* f, std::uint32_t v) {
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                             static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  std::fwrite(b, 1, 4, f);
}

int usage() {
  std::fputs("usage: lab_gen_capture OUT.pcap [--packets N (1000000)] [--concurrent C (400)] [--seed S (1)]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return usage();
  const char* path = argv[1];
  unsigned long long packets = 1'000'000, concurrent = 400, seed = 1;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return usage();
    const std::string_view name = argv[i];
    char* end = nullptr;
    const unsigned long long value = std::strtoull(argv[i + 1], &end, 10);
    if (*end != '\0') return usage();
    if (name == "--packets") packets = value;
    else if (name == "--concurrent" && value > 0 && value < 1'000'000) concurrent = value;
    else if (name == "--seed") seed = value;
    else return usage();
  }

  std::FILE* file = std::fopen(path, "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "lab_gen_capture: cannot write %s: %s\n", path, std::strerror(errno));
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(file, buffer, _IOFBF, sizeof buffer);
  // The pcap file header: magic (little-endian, microseconds), version 2.4, no time zone or accuracy,
  // snap length 262144, link type 1 (Ethernet).
  for (std::uint32_t v : {0xa1b2c3d4u, 0x00040002u, 0u, 0u, 262144u, 1u}) put_le32(file, v);

  Generator gen(seed);
  std::vector<Conversation> slots;
  slots.reserve(concurrent);
  for (unsigned long long i = 0; i < concurrent; ++i) slots.push_back(gen.start());
  std::uint64_t time_us = 1'700'000'000ull * 1'000'000;  // 2023-11-14 22:13:20 UTC
  std::vector<std::uint8_t> frame;
  frame.reserve(2048);
  for (unsigned long long n = 0; n < packets; ++n) {
    // A random open conversation sends its next packet; a finished one gives its slot to a new one.
    Conversation& c = slots[gen.rng().below(static_cast<std::uint32_t>(slots.size()))];
    gen.build(c, frame);
    if (c.done()) c = gen.start();
    time_us += gen.rng().between(1, 4);
    put_le32(file, static_cast<std::uint32_t>(time_us / 1'000'000));
    put_le32(file, static_cast<std::uint32_t>(time_us % 1'000'000));
    put_le32(file, static_cast<std::uint32_t>(frame.size()));  // captured length
    put_le32(file, static_cast<std::uint32_t>(frame.size()));  // wire length
    std::fwrite(frame.data(), 1, frame.size(), file);
  }
  if (std::fclose(file) != 0) {
    std::fprintf(stderr, "lab_gen_capture: cannot write %s: %s\n", path, std::strerror(errno));
    return 1;
  }
  return 0;
}
