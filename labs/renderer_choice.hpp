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

}  // namespace lab::labs
