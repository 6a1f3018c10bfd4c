// The `reprieve` command line: the recycle bin across every type, the server's clock, and
// the Machine Learning workspace commands the seed names (which `az ml`, an extension, would
// run). Argument parsing (CLI11) is confined to cli.cc.
#pragma once

#include <ostream>

namespace reprieve::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;      // the server refused (ARM "code: message" on stderr)
inline constexpr int kExitUsage = 2;        // the command line is wrong
inline constexpr int kExitUnreachable = 3;  // the server cannot be reached

// Runs `reprieve` with these arguments; results go to `out`, errors and progress to `err`.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace reprieve::cli
