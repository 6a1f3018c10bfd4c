#include "reprieve/base/log.h"

#include <atomic>
#include <cstdio>
#include <string>

#include "reprieve/base/clock.h"

namespace reprieve {
namespace {
std::atomic<LogLevel> g_min_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kText};
constexpr const char* kNames[] = {"DEBUG", "INFO", "WARN", "ERROR"};
constexpr const char* kJsonNames[] = {"debug", "info", "warning", "error"};

// `text` as a JSON string's contents (RFC 8259 §7): quote, backslash and control
// characters escaped; other bytes as they are.
void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// A text line's value: bare when it has no space, quote or control character.
void AppendTextValue(std::string& out, std::string_view value) {
  const bool bare = !value.empty() && value.find_first_of(" \"\\=\n\r\t") == std::string_view::npos;
  if (bare) {
    out += value;
  } else {
    AppendJsonString(out, value);
  }
}
}  // namespace

void SetMinLogLevel(LogLevel level) { g_min_level.store(level); }
void SetLogFormat(LogFormat format) { g_format.store(format); }
bool LogEnabled(LogLevel level) { return level >= g_min_level.load(std::memory_order_relaxed); }

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  // Log lines carry wall-clock time even under a manual clock: they describe the process.
  const std::string time = FormatRfc3339(SystemClock().Now());
  std::string line;
  line.reserve(64 + message.size() + fields.size() * 32);
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    line += "{\"time\":";
    AppendJsonString(line, time);
    line += ",\"level\":\"";
    line += kJsonNames[static_cast<int>(level)];
    line += "\",\"msg\":";
    AppendJsonString(line, message);
    for (const LogField& field : fields) {
      line += ',';
      AppendJsonString(line, field.name);
      line += ':';
      if (field.number) {
        line += field.value;
      } else {
        AppendJsonString(line, field.value);
      }
    }
    line += "}\n";
  } else {
    line += time;
    line += ' ';
    line += kNames[static_cast<int>(level)];
    line += ' ';
    line += message;
    for (const LogField& field : fields) {
      line += ' ';
      line += field.name;
      line += '=';
      AppendTextValue(line, field.value);
    }
    line += '\n';
  }
  // One write per line, so that lines of concurrent threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace reprieve
