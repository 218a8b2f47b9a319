#include "labs/cli/cli.hpp"

int main(int argc, char** argv) { return lab::labs::run_cli(argc, argv); }
