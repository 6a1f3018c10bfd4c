// OpenStore: the ResourceStore named by a URL.
//   "sqlite:PATH"  the embedded default (WAL, group commit)
//   "memory:"      nothing persisted; for tests and throwaway runs
#pragma once

#include <memory>
#include <string_view>

#include "reprieve/base/result.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::store {

// kInvalidArgument for an unknown scheme; otherwise what the adapter's Open returns.
Result<std::unique_ptr<core::ResourceStore>> OpenStore(std::string_view url);

}  // namespace reprieve::store
