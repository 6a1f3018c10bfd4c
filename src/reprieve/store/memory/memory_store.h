// MemoryStore: the reference ResourceStore, held in process memory. Used by tests and by
// `reprieved --store memory:` for throwaway runs. Nothing survives the process.
#pragma once

#include <memory>

#include "reprieve/core/ports/resource_store.h"

namespace reprieve::store {

std::unique_ptr<core::ResourceStore> NewMemoryStore();

}  // namespace reprieve::store
