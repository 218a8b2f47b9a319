// lab-docs: writes lab(1) and lab's bash completion from the same command line `lab` parses, at build time.
//   lab-docs man FILE | lab-docs bash-completion FILE
#include <cstdio>
#include <fstream>
#include <string>

#include "labs/cli/app.hpp"
#include "labs/cli/docs/bash_completion.hpp"
#include "labs/cli/docs/man_page.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fputs("usage: lab-docs man|bash-completion FILE\n", stderr);
    return 2;
  }
  CLI::App app{lab::labs::app_description};
  lab::labs::add_commands(app);
  const std::string what = argv[1];
  std::string text;
  if (what == "man") text = lab::labs::docs::man_page(app, LAB_VERSION);
  else if (what == "bash-completion") text = lab::labs::docs::bash_completion(app);
  else {
    std::fprintf(stderr, "lab-docs: %s is neither man nor bash-completion\n", argv[1]);
    return 2;
  }
  std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::fprintf(stderr, "lab-docs: cannot write %s\n", argv[2]);
    return 1;
  }
  return 0;
}
