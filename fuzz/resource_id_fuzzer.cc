// ResourceId::Parse on arbitrary text: never crashes, and what it accepts round-trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "reprieve/core/model/resource_id.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto id = reprieve::core::ResourceId::Parse(text);
  if (!id.has_value()) return 0;
  auto again = reprieve::core::ResourceId::Parse(id->ToString());
  if (!again.has_value() || again->Key() != id->Key()) std::abort();
  return 0;
}
