#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "capture/render/escape.hpp"
#include "capture/render/json_renderer.hpp"
#include "capture/render/text_renderer.hpp"
#include "capture/timeline/explainer.hpp"
#include "capture/timeline/timeline_merger.hpp"
#include "tests/flow/segments.hpp"
#include "tests/support/catch.hpp"
#include "tests/support/json_lines.hpp"

using namespace lab::test;
using nlohmann::json;

namespace {

constexpr std::uint32_t C = 1000, S = 5000;

struct Rendered {
  std::vector<std::string> chunks;
  std::string all() const {
    std::string s;
    for (const auto& c : chunks) s += c;
    return s;
  }
};

// Renders decoded packets (as frames would be) through tracker, annotator and a renderer.
std::string render(lab::render::Renderer& renderer, const std::vector<lab::decode::DecodedPacket>& packets) {
  Feed feed;
  std::string out, note;
  for (const auto& p : packets) {
    const auto o = feed(p);
    lab::decode::Frame frame;
    frame.time_ns = 1'000'000'000 + std::int64_t{feed.index} * 1'000'000;
    frame.wire_len = 66 + p.payload_len;
    lab::annotate::annotate_packet({feed.index, frame, p, o}, {}, note);
    renderer.packet({feed.index, (feed.index - 1) * std::int64_t{1000000}, frame, p, o, note}, out);
  }
  renderer.summary({feed.tracker.conversations(), feed.index, 0, 0, "tip", {}, nullptr}, out);
  return out;
}

using lab::test::json_lines;

}  // namespace

TEST_CASE("JSON lines: the packet contract") {
  lab::render::JsonRenderer renderer;
  const auto lines = json_lines(render(renderer, {tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, S, C + 1, SYN | ACK),
                                                  tcp(client_ep, server_ep, C + 1, S + 1, ACK),
                                                  tcp(client_ep, server_ep, C + 1, S + 1, PSH | ACK, 6, "Hello?")}));
  REQUIRE(lines.size() == 5);
  const json& syn = lines[0];
  CHECK(syn["type"] == "packet");
  CHECK(syn["index"] == 1);
  CHECK(syn["time"] == 0.0);
  CHECK(syn["proto"] == "tcp");
  CHECK(syn["src"] == "127.0.0.1:48258");
  CHECK(syn["dst"] == "127.0.0.1:65432");
  CHECK(syn["from"] == "client");
  CHECK(syn["to"] == "server");
  CHECK(syn["len"] == 0);
  CHECK(syn["flags"] == json::array({"SYN"}));
  CHECK(syn["seq"] == 0);
  CHECK(syn["ack"].is_null());
  CHECK(syn["window"] == 65483);
  CHECK(syn["phase"] == "handshake");
  CHECK(syn["states"] == json{{"client", "SYN-SENT"}, {"server", "SYN-RECEIVED"}});
  CHECK(syn["analysis"] == json::array());
  CHECK(syn["stream"] == 0);
  CHECK(syn["note"].get<std::string>().find("Handshake 1/3") == 0);
  CHECK(lines[1]["flags"] == json::array({"SYN", "ACK"}));
  CHECK(lines[1]["ack"] == 1);
  CHECK(lines[1]["from"] == "server");
  CHECK(lines[3]["flags"] == json::array({"ACK", "PSH"}));
  CHECK(lines[3]["len"] == 6);
  CHECK(lines[3]["seq"] == 1);
  CHECK(lines[3]["phase"] == "data");
  const json& summary = lines[4];
  CHECK(summary["type"] == "summary");
  CHECK(summary["packets"] == 4);
  CHECK(summary["conversations"][0]["packets_by_phase"]["handshake"] == 3);
  CHECK(summary["conversations"][0]["ended"] == "open");
  CHECK(summary["tip"] == "tip");
}

TEST_CASE("JSON: application events carry the exact bytes, losslessly and as valid JSON") {
  lab::render::JsonRenderer renderer;
  lab::timeline::AppEvent e;
  e.actor = lab::flow::Role::server;
  e.call = lab::timeline::AppCall::recv;
  e.data = std::string("\x00\x1b[31m\"\\\xff", 9);
  e.bytes = e.data.size();
  e.kernel_state = "ESTABLISHED";
  std::string out;
  renderer.app({500000000, e, std::nullopt, std::nullopt, "note"}, out);
  const json line = json::parse(out);
  CHECK(line["type"] == "app");
  CHECK(line["actor"] == "server");
  CHECK(line["event"] == "recv");
  CHECK(line["bytes"] == 9);
  CHECK(line["kernel_state"] == "ESTABLISHED");
  CHECK(line["capture_state"].is_null());
  // `data` is text: the invalid byte 0xff became U+FFFD; `data_hex` keeps every byte.
  CHECK(line["data"] == std::string("\x00\x1b[31m\"\\\xef\xbf\xbd", 11));
  CHECK(line["data_hex"] == "001b5b33316d225cff");
}

TEST_CASE("text: direction arrows, states line, wrapped explanation, colours only when asked") {
  lab::render::TextRenderer plain({true, false, false, 100});
  const std::string text = render(plain, {tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, S, C + 1, SYN | ACK)});
  CHECK(text.find("TCP conversation 0: client 127.0.0.1:48258, server 127.0.0.1:65432") != std::string::npos);
  CHECK(text.find("client:48258 → server:65432  TCP [SYN] seq=0 len=0") != std::string::npos);
  CHECK(text.find("client:48258 ← server:65432  TCP [SYN,ACK] seq=0 ack=1") != std::string::npos);
  CHECK(text.find("client SYN-SENT · server SYN-RECEIVED") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
  std::size_t start = 0;
  while (start < text.size()) {  // no line longer than the width (counting characters, not bytes)
    const std::size_t end = text.find('\n', start);
    int cols = 0;
    for (std::size_t i = start; i < end; ++i) cols += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    CHECK(cols <= 100);
    start = end + 1;
  }
  lab::render::TextRenderer coloured({true, false, true, 80});
  const std::string colour = render(coloured, {tcp(client_ep, server_ep, C, 0, SYN), tcp(server_ep, client_ep, 0, C + 1, RST | ACK)});
  CHECK(colour.find("\x1b[48;5;247;38;5;235m#1") != std::string::npos);  // SYN: Wireshark's grey "TCP SYN/FIN"
  CHECK(colour.find("\x1b[48;5;124;38;5;229m#2") != std::string::npos);  // RST: "TCP RST", dark red
}

TEST_CASE("text without --annotate prints no packets") {
  lab::render::TextRenderer quiet({false, false, false, 100});
  const std::string text = render(quiet, {tcp(client_ep, server_ep, C, 0, SYN)});
  CHECK(text.find("#1") == std::string::npos);
}

TEST_CASE("escaping helpers") {
  std::string out;
  lab::render::append_escaped_bytes(out, std::string_view("ok\t\"\x7f"));
  CHECK(out == "ok\\t\\\"\\x7f");
  out.clear();
  lab::render::append_escaped_bytes(out, std::string(100, 'a'), 4);
  CHECK(out == "aaaa…");
  out.clear();
  lab::render::append_json_text(out, "a\"b\\c\nd\x01");
  CHECK(out == "a\\\"b\\\\c\\nd\\u0001");
}

namespace {

// Records the order in which the timeline reaches the renderer.
class OrderRenderer : public lab::render::Renderer {
 public:
  std::vector<std::string> order;
  void packet(const lab::render::PacketView& v, std::string&) override { order.push_back("packet " + std::to_string(v.index)); }
  void app(const lab::render::AppView& v, std::string&) override {
    order.push_back(std::string("app ") + lab::timeline::app_call_name(v.event.call) + " " + std::to_string(v.time_ns));
  }
  void conversation_end(const lab::flow::Conversation&, std::string&) override { order.push_back("ended"); }
  void summary(const lab::render::SummaryView&, std::string&) override { order.push_back("summary"); }
};

lab::timeline::AppEvent call_at(std::int64_t t, lab::timeline::AppCall call) {
  lab::timeline::AppEvent e;
  e.time_ns = t;
  e.call = call;
  return e;
}

}  // namespace

TEST_CASE("the timeline merger puts calls and packets in time order, times relative to the first packet") {
  OrderRenderer renderer;
  lab::timeline::Explainer explainer(renderer, {}, [](std::string_view) {});
  lab::timeline::TimelineMerger merger(explainer);
  const std::uint8_t bytes[1] = {0};
  auto frame_at = [&](std::int64_t t) {
    lab::decode::Frame f;
    f.time_ns = t;
    f.link_type = 1;
    f.bytes = bytes;
    return f;
  };
  merger.add_app(call_at(1000, lab::timeline::AppCall::connect));  // held: a packet before it may be on its way
  CHECK(renderer.order.empty());
  merger.add_packet(frame_at(3000));                               // releases the call, then the packet
  merger.add_app(call_at(5000, lab::timeline::AppCall::send));     // held
  merger.add_packet(frame_at(4000));                               // earlier than the call: goes first
  CHECK(renderer.order.size() == 3);
  merger.packets_complete_until(6000);                             // now the call can go
  merger.add_app(call_at(7000, lab::timeline::AppCall::close));
  merger.finish();
  explainer.finish();
  REQUIRE(renderer.order.size() == 6);
  CHECK(renderer.order[0] == "app connect -2000");
  CHECK(renderer.order[1] == "packet 1");
  CHECK(renderer.order[2] == "packet 2");
  CHECK(renderer.order[3] == "app send 2000");
  CHECK(renderer.order[4] == "app close 4000");
  CHECK(renderer.order[5] == "summary");
}

TEST_CASE("JSON text escaping: every special byte at every position, against a byte-by-byte reference") {
  auto reference = [](std::string_view text) {
    std::string out;
    for (char ch : text) {
      const auto b = static_cast<unsigned char>(ch);
      if (ch == '"') out += "\\\"";
      else if (ch == '\\') out += "\\\\";
      else if (ch == '\n') out += "\\n";
      else if (b < 0x20 || b == 0x7F) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\u%04x", b);
        out += hex;
      } else out += ch;
    }
    return out;
  };
  const std::string specials = std::string("\"\\\n\x01\x1f\x7f", 6) + std::string(1, '\0');
  for (std::size_t length : {0u, 1u, 15u, 16u, 17u, 31u, 32u, 33u, 70u}) {
    for (std::size_t position = 0; position < length; ++position) {
      for (char special : specials) {
        std::string text(length, 'a');
        text[position] = special;
        if (length > 3) text[length - 1] = static_cast<char>(0xC3);  // UTF-8 bytes pass through untouched
        std::string out;
        lab::render::append_json_text(out, text);
        CHECK(out == reference(text));
      }
    }
  }
}
