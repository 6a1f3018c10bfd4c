#include "testutil/testutil.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "reprieve/core/model/resource.h"

namespace reprieve::core {

void PrintTo(const ResourceRecord& r, std::ostream* os) {
  const auto time = [](const std::optional<Timestamp>& t) {
    return t ? FormatRfc3339(*t) : std::string("-");
  };
  *os << "{key=" << r.key << " id=" << r.id << " sub=" << r.subscription
      << " rg=" << r.resource_group << " type=" << r.type << " name=" << r.name
      << " location=" << r.location << " body=" << r.body << " state=" << static_cast<int>(r.state)
      << " version=" << r.version << " etag=" << r.etag << " created=" << FormatRfc3339(r.created_at)
      << " changed=" << FormatRfc3339(r.changed_at) << " by=" << r.created_by << "/" << r.changed_by
      << " deleted=" << time(r.deleted_at) << " purge=" << time(r.scheduled_purge_at)
      << " retention=" << (r.retention ? std::to_string(r.retention->count()) : "-")
      << " protected=" << r.purge_protected << " cmk=" << r.customer_managed_key << " transient=" << r.transient << " deps=";
  for (const auto& d : r.dependencies) *os << d << ";";
  *os << " secrets=" << r.secrets.size() << "B}";
}

}  // namespace reprieve::core

namespace reprieve::testutil {

Timestamp ParseUtc(const std::string& text) {
  auto parsed = ParseRfc3339(text);
  REPRIEVE_CHECK(parsed.has_value()) << "bad test timestamp " << text;
  return *parsed;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "reprieve-test-XXXXXX").string();
  REPRIEVE_CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp failed";
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace reprieve::testutil
