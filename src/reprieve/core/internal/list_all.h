// Paging a store listing to its end. Internal to core.
#pragma once

#include <vector>

#include "reprieve/base/result.h"
#include "reprieve/base/status_macros.h"
#include "reprieve/core/ports/resource_store.h"

namespace reprieve::core::internal {

// Every record matching `query`, ascending by key, read a page (query.limit) at a time.
inline Result<std::vector<ResourceRecord>> ListAll(ResourceStore& store, ListQuery query) {
  std::vector<ResourceRecord> records;
  while (true) {
    REPRIEVE_ASSIGN_OR_RETURN(Page page, store.List(query));
    for (ResourceRecord& record : page.items) records.push_back(std::move(record));
    if (page.next_after.empty()) return records;
    query.after_key = page.next_after;
  }
}

}  // namespace reprieve::core::internal
