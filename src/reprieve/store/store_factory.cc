#include "reprieve/store/store_factory.h"

#include <string>

#include "reprieve/store/memory/memory_store.h"
#include "reprieve/store/sqlite/sqlite_store.h"

namespace reprieve::store {

Result<std::unique_ptr<core::ResourceStore>> OpenStore(std::string_view url,
                                                     core::Telemetry* telemetry) {
  if (url == "memory:") return NewMemoryStore();
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.substr(0, kSqlite.size()) == kSqlite && url.size() > kSqlite.size()) {
    SqliteOptions options;
    options.path = std::string(url.substr(kSqlite.size()));
    options.telemetry = telemetry;
    return OpenSqliteStore(options);
  }
  return InvalidArgumentError("unknown store '" + std::string(url) +
                              "': expected sqlite:PATH or memory:");
}

}  // namespace reprieve::store
