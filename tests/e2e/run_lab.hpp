#pragma once
// Runs the `lab` binary as a student would, with a time limit, and collects what it printed.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/json_lines.hpp"  // json_lines()

namespace lab::test {

struct LabRun {
  int exit_code = -1;     // -1: killed after the time limit
  std::string out;
  std::string err;
};

// The lab binary under test (LAB_BINARY, set by CTest).
std::string lab_binary();
// A copy of it that an unprivileged user (uid 65534) can run: the build tree may sit in a folder only its owner
// may enter (/root, or a Debian 13 home). run_lab(..., as_nobody = true) runs this one.
const std::string& reachable_lab_binary();

// Runs `program args...` with a time limit. With `as_nobody`, the child drops to uid/gid 65534 first
// (only possible when the test runs as root).
LabRun run_program(const std::vector<std::string>& argv, int timeout_ms = 20000, bool as_nobody = false);
LabRun run_lab(const std::vector<std::string>& args, bool as_nobody = false);


// A fresh empty directory under /tmp, removed with its files at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lab::test
