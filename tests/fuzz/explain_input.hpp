#pragma once
// The one entry point the fuzzer and the regression test share: a fuzz input (fuzz_input.hpp) through one
// Explainer, as `lab annotate` would feed it frames from a file.
#include <cstdint>
#include <span>
#include <string>

namespace lab::fuzz {

struct ExplainResult {
  std::size_t frames = 0;       // frames fed (repeats included)
  std::size_t output_bytes = 0; // what the renderer produced
  std::string violation;        // empty, or which output invariant broke (the fuzzer aborts on it)
};

ExplainResult explain_input(std::span<const std::uint8_t> input);

}  // namespace lab::fuzz
