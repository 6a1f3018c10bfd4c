// Minimal leveled logging to stderr, one line per call. Log an error once, where it is
// handled (house rule 5).
#pragma once

#include <string_view>

namespace reprieve {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

void SetMinLogLevel(LogLevel level);
void Log(LogLevel level, std::string_view message);
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace reprieve
