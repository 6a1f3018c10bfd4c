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

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629), 0 if none.
size_t Utf8Length(std::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length;
  unsigned char low = 0x80, high = 0xbf;  // the range of the second byte
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

// `text` as a JSON string (RFC 8259 §7): quote, backslash and control characters escaped,
// a byte that is not well-formed UTF-8 replaced by U+FFFD, so every line parses.
void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      const size_t length = Utf8Length(text.substr(i));
      if (length == 0) {
        out += "\xef\xbf\xbd";  // U+FFFD
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    ++i;
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

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view time,
                          std::string_view message, std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(64 + message.size() + fields.size() * 32);
  if (format == LogFormat::kJson) {
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
  return line;
}

void Log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (!LogEnabled(level)) return;
  // Log lines carry wall-clock time even under a manual clock: they describe the process.
  const std::string line = FormatLogLine(g_format.load(std::memory_order_relaxed), level,
                                         FormatRfc3339(SystemClock().Now()), message, fields);
  // One write per line, so that lines of concurrent threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace reprieve
