#pragma once
// lab capture: explain live traffic, on an interface or around a command lab runs (labs/capture_live.hpp).
#include <CLI/CLI.hpp>

#include "labs/capture_live.hpp"
#include "labs/cli/common.hpp"

namespace lab::labs::cli {

struct CaptureFlags {
  CaptureOptions options;
  OutputFlags output;
  CaptureOptions resolved() const { return output.applied_to(options); }
};

// Adds the capture subcommand to app, its options, and run_capture as what it does.
void setup_capture(CLI::App& app);
// The capture's exit code: around a command, the command's own.
int run_capture(const CaptureFlags& flags);

}  // namespace lab::labs::cli
