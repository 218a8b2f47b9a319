#pragma once
// JSON lines: one object per line, in timeline order — the contract that tests and graders rely on
// (see README: "JSON lines").
#include "capture/render/renderer.hpp"

namespace lab::render {

class JsonRenderer : public Renderer {
 public:
  void packet(const PacketView& view, std::string& out) override;
  void app(const AppView& view, std::string& out) override;
  void conversation_end(const lab::flow::Conversation& conversation, std::string& out) override;
  void summary(const SummaryView& view, std::string& out) override;
};

}  // namespace lab::render
