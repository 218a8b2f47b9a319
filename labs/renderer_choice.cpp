#include "labs/renderer_choice.hpp"

#include <cstdio>

#include "capture/render/json_renderer.hpp"
#include "capture/render/text_renderer.hpp"
#include "labs/terminal.hpp"

namespace lab::labs {

std::unique_ptr<lab::render::Renderer> make_renderer(const RenderChoice& choice) {
  if (choice.format == OutputFormat::json) return std::make_unique<lab::render::JsonRenderer>();
  lab::render::TextOptions text;
  text.annotate = choice.annotate;
  text.absolute = choice.absolute;
  text.color = use_color(choice.color, stdout);
  text.show_stream = choice.show_stream;
  text.width = output_width(stdout);
  return std::make_unique<lab::render::TextRenderer>(text);
}

}  // namespace lab::labs
