#include "reprieve/core/model/activity.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "reprieve/core/internal/text_codec.h"

namespace reprieve::core {
namespace {

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
  internal::LineWriter out("v1");
  for (const std::string* field : StringFields(entry)) out.Add(*field);
  out.Add(entry.time);
  for (const auto& [name, value] : entry.properties) out.Add(name).Add(value);
  return out.Take();
}

std::optional<ActivityEntry> DecodeActivity(std::string_view text) {
  internal::LineReader in(text, "v1");
  ActivityEntry entry;
  for (std::string* field : StringFields(entry)) *field = in.Text();
  entry.time = in.Time();
  while (in.ok() && !in.done()) {
    std::string name = in.Text();
    std::string value = in.Text();
    entry.properties.emplace_back(std::move(name), std::move(value));
  }
  if (!in.ok()) return std::nullopt;
  return entry;
}

}  // namespace reprieve::core
