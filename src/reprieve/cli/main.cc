// `reprieve`: the command-line client of a Reprieve server (see cli.h).
#include <iostream>

#include "reprieve/cli/cli.h"

int main(int argc, char** argv) { return reprieve::cli::RunCli(argc, argv, std::cout, std::cerr); }
