// reprieved: the Reprieve server.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "reprieve/app/config.h"
#include "reprieve/app/server.h"

int main(int argc, char** argv) {
  try {
    auto config = reprieve::app::ParseFlags(std::vector<std::string>(argv + 1, argv + argc));
    if (!config.has_value()) {
      std::fprintf(stderr, "reprieved: %s\n", config.status().message().c_str());
      return 2;
    }
    if (config->help) {
      std::fputs(reprieve::app::Usage().c_str(), stdout);
      return 0;
    }
    if (config->version) {
      std::puts("reprieved " REPRIEVE_VERSION);
      return 0;
    }
    return reprieve::app::RunServer(*config);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reprieved: fatal: %s\n", e.what());
    return 1;
  }
}
