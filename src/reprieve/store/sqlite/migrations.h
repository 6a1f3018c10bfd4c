// The SQLite schema migrations, embedded at build time from migrations/NNNN_*.sql.
#pragma once

#include <string_view>
#include <vector>

namespace reprieve::store::sqlite {

struct Migration {
  int version;  // NNNN of the file name; versions are 1, 2, 3, ... without gaps
  std::string_view name;
  std::string_view sql;
};

// Ascending by version.
const std::vector<Migration>& Migrations();

}  // namespace reprieve::store::sqlite
