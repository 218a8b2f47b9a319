#pragma once
// The text a student reads: one block per packet (number, time, direction, flags, numbers, both states and
// the explanation) with the application calls in between, and a closing summary.
#include <string>

#include "capture/render/renderer.hpp"

namespace lab::render {

struct TextOptions {
  bool annotate = true;   // packets with explanations; false: only the application-level conversation
  bool absolute = false;  // raw sequence numbers next to the relative ones
  bool color = false;     // ANSI colours, Wireshark's scheme: grey SYN/FIN, red RST
  int width = 100;        // every line fits this many columns (labs/terminal.hpp chooses it)
  bool show_stream = false;  // prefix each packet with its conversation ("tcp 3"): captures with many
};

class TextRenderer : public Renderer {
 public:
  explicit TextRenderer(TextOptions options) : options_(options) {}
  void packet(const PacketView& view, std::string& out) override;
  void app(const AppView& view, std::string& out) override;
  void conversation_end(const lab::flow::Conversation& conversation, std::string& out) override;
  void summary(const SummaryView& view, std::string& out) override;

 private:
  void append_conversation(const lab::flow::Conversation& conversation, std::string& out) const;
  void append_arp_summary(const lab::flow::ArpSummary& arp, std::string& out) const;

  TextOptions options_;
  std::string extras_;  // a packet line's extras, reused (see collect_extras)
};

// Appends `text` wrapped at `width` columns, each line starting with `indent` spaces.
void append_wrapped(std::string& out, std::string_view text, int indent, int width);

}  // namespace lab::render
