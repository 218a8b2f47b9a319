#pragma once
// The renderer a command's options ask for.
#include <memory>

#include "capture/render/renderer.hpp"
#include "labs/echo_lab.hpp"

namespace lab::labs {

struct RenderChoice {
  OutputFormat format = OutputFormat::text;
  bool annotate = true;
  bool absolute = false;
  ColorMode color = ColorMode::automatic;
  bool show_stream = false;  // many conversations: name each packet's
};

std::unique_ptr<lab::render::Renderer> make_renderer(const RenderChoice& choice);

// The renderer of a command that may show many conversations (annotate, capture): every packet names its own.
template <typename Options>
std::unique_ptr<lab::render::Renderer> make_multi_conversation_renderer(const Options& options) {
  return make_renderer({options.format, true, options.absolute, options.color, true});
}

}  // namespace lab::labs
