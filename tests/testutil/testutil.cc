#include "testutil/testutil.h"

#include <cstdlib>
#include <filesystem>

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
