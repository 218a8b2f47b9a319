#pragma once
// lab annotate FILE: explain every packet of a capture made elsewhere (labs/annotate_file.hpp).
#include <CLI/CLI.hpp>

#include "labs/annotate_file.hpp"
#include "labs/cli/common.hpp"

namespace lab::labs::cli {

struct AnnotateFlags {
  AnnotateFileOptions options;
  OutputFlags output;
  AnnotateFileOptions resolved() const { return output.applied_to(options); }
};

// Adds the annotate subcommand to app, its options, and run_annotate as what it does.
void setup_annotate(CLI::App& app);
int run_annotate(const AnnotateFlags& flags);

}  // namespace lab::labs::cli
