#pragma once
// The `lab` command line: parses arguments (CLI11, confined to labs/cli/) and runs the chosen lab.
namespace lab::labs {

// Exit codes: 0 success, 1 the lab or a file failed, 2 a usage error, 3 the environment (isolation or
// capture privileges) does not allow the run.
int run_cli(int argc, char** argv);

}  // namespace lab::labs
