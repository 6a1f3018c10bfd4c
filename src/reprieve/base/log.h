// Leveled logging to stderr, one line per call, as text or as JSON (--log-format). Log an
// error once, where it is handled (house rule 5). No caller may put a token, secret, key or
// password into a message or a field: lines go to whoever reads the process's stderr.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace reprieve {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
// kText: "TIME LEVEL message name=value ..."; kJson: one object a line,
// {"time":…,"level":…,"msg":…, fields…}.
enum class LogFormat { kText, kJson };

void SetMinLogLevel(LogLevel level);
void SetLogFormat(LogFormat format);
bool LogEnabled(LogLevel level);

// One field of a structured line. A number's text is written unquoted in JSON.
struct LogField {
  std::string_view name;
  std::string value;
  bool number = false;
};
inline LogField Number(std::string_view name, long long value) {
  return {name, std::to_string(value), true};
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
// The line Log() writes (newline included), at `time` (RFC 3339).
std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view time,
                          std::string_view message, std::initializer_list<LogField> fields);

inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

}  // namespace reprieve
