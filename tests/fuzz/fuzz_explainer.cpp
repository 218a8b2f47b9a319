// libFuzzer target: one input = a link type, settings and a sequence of frames (fuzz_input.hpp), fed through
// one Explainer so the tracker sees whole conversations. Crashes and sanitizer reports are the findings;
// a broken output invariant (explain_input.cpp) aborts too.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/explain_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const lab::fuzz::ExplainResult result = lab::fuzz::explain_input({data, size});
  if (!result.violation.empty()) {
    std::fprintf(stderr, "output invariant broken: %s\n", result.violation.c_str());
    std::abort();
  }
  return 0;
}
