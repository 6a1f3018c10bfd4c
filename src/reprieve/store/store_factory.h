// OpenStore: the ResourceStore named by a URL.
//   "sqlite:PATH"  the embedded default (WAL, group commit)
//   "memory:"      nothing persisted; for tests and throwaway runs
#pragma once

#include <memory>
#include <string_view>

#include "reprieve/base/result.h"
#include "reprieve/core/ports/resource_store.h"
#include "reprieve/core/ports/telemetry.h"

namespace reprieve::store {

// kInvalidArgument for an unknown scheme; otherwise what the adapter's Open returns.
// `telemetry` (not owned; null: none) hears of the store's commits and cache lookups.
Result<std::unique_ptr<core::ResourceStore>> OpenStore(std::string_view url,
                                                       core::Telemetry* telemetry = nullptr);

}  // namespace reprieve::store
