#include "reprieve/base/log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "reprieve/base/clock.h"

namespace reprieve {
namespace {
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level.store(level); }

void Log(LogLevel level, std::string_view message) {
  if (level < g_min_level.load(std::memory_order_relaxed)) return;
  // Log lines carry wall-clock time even under a manual clock: they describe the process.
  const std::string line = FormatRfc3339(SystemClock().Now()) + " " +
                           kNames[static_cast<int>(level)] + " " + std::string(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace reprieve
