// How the CLI prints results: `--output json` (the server's JSON, what jq reads), `table`
// (aligned columns under a header) or `tsv` (tab-separated values, no header, as az does).
#pragma once

#include <boost/json.hpp>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::cli {

enum class OutputFormat { kTable, kJson, kTsv };

struct Column {
  std::string header;
  std::function<std::string(const boost::json::object&)> value;
};

// Prints `value` (an object, or an array of objects) in `format`; table and tsv show
// `columns` of each object.
void Print(std::ostream& out, OutputFormat format, const boost::json::value& value,
           const std::vector<Column>& columns);

// A column showing the string, number or boolean member at a dotted path ("" if absent).
Column Field(std::string header, std::string path);

// "1 d 23 h", "5 h 12 min", "45 min", "< 1 min", or "due" when `until` has passed.
std::string TimeRemaining(Timestamp now, Timestamp until);

}  // namespace reprieve::cli
