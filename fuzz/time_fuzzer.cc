// RFC 3339 and ISO-8601 duration parsing on arbitrary text: never crashes, accepted
// instants round-trip through their formatting, durations are never negative.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "reprieve/base/time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto instant = reprieve::ParseRfc3339(text)) {
    if (reprieve::ParseRfc3339(reprieve::FormatRfc3339(*instant)) != instant) std::abort();
    (void)reprieve::FormatHttpDate(*instant);
  }
  if (auto duration = reprieve::ParseIsoDuration(text)) {
    if (duration->count() < 0) std::abort();
  }
  return 0;
}
