#include "reprieve/core/model/activity.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <type_traits>

namespace reprieve::core {
namespace {

// '\\' and '\n' escaped, so that a value is one line.
void AppendEscaped(std::string_view value, std::string& out) {
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::optional<std::string> Unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) return std::nullopt;
    if (value[i] == 'n') {
      out += '\n';
    } else if (value[i] == '\\') {
      out += '\\';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The string fields of `e` (an entry or a const one) in their encoded order.
template <typename Entry>
auto StringFields(Entry& e) {
  using Field = std::conditional_t<std::is_const_v<Entry>, const std::string*, std::string*>;
  return std::array<Field, 15>{&e.id,           &e.operation_id,     &e.correlation_id,
                               &e.subscription, &e.resource_group,   &e.resource_id,
                               &e.resource_type, &e.operation_name,  &e.scope,
                               &e.status,       &e.sub_status,       &e.caller,
                               &e.caller_object_id, &e.http_method, &e.client_request_id};
}

}  // namespace

std::string StableUuid(std::string_view seed) {
  uint64_t halves[2] = {14695981039346656037ull, 1099511628211ull * 31};
  for (uint64_t& h : halves) {
    for (const char c : seed) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= h >> 29;
  }
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(halves[0]),
                static_cast<unsigned long long>(halves[1]));
  std::string text(hex, 32);
  text[12] = '5';                           // version: name-based
  text[16] = "89ab"[(text[16] - '0') & 3];  // variant: RFC 4122
  return text.substr(0, 8) + "-" + text.substr(8, 4) + "-" + text.substr(12, 4) + "-" +
         text.substr(16, 4) + "-" + text.substr(20, 12);
}

std::string ProviderOf(std::string_view resource_type) {
  return std::string(resource_type.substr(0, resource_type.find('/')));
}

std::string EncodeActivity(const ActivityEntry& entry) {
  std::string out = "v1\n";
  for (const std::string* field : StringFields(entry)) {
    AppendEscaped(*field, out);
    out += '\n';
  }
  out += std::to_string(entry.time.time_since_epoch().count());
  out += '\n';
  for (const auto& [name, value] : entry.properties) {
    AppendEscaped(name, out);
    out += '\n';
    AppendEscaped(value, out);
    out += '\n';
  }
  return out;
}

std::optional<ActivityEntry> DecodeActivity(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) return std::nullopt;  // every line ends with '\n'
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  ActivityEntry entry;
  auto fields = StringFields(entry);
  if (lines.size() < fields.size() + 2 || lines[0] != "v1" ||
      (lines.size() - fields.size() - 2) % 2 != 0) {
    return std::nullopt;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    auto value = Unescape(lines[i + 1]);
    if (!value) return std::nullopt;
    *fields[i] = std::move(*value);
  }
  const std::string_view millis = lines[fields.size() + 1];
  int64_t count = 0;
  const auto [end, ec] = std::from_chars(millis.data(), millis.data() + millis.size(), count);
  if (ec != std::errc() || end != millis.data() + millis.size()) return std::nullopt;
  entry.time = Timestamp(Duration(count));
  for (size_t i = fields.size() + 2; i + 1 < lines.size(); i += 2) {
    auto name = Unescape(lines[i]);
    auto value = Unescape(lines[i + 1]);
    if (!name || !value) return std::nullopt;
    entry.properties.emplace_back(std::move(*name), std::move(*value));
  }
  return entry;
}

}  // namespace reprieve::core
