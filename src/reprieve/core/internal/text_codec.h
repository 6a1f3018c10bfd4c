// The text form core's typed records are kept in by stores that keep them whole: a version
// line, then one line a field, values escaped ('\\' and '\n') so each is one line. Internal
// to core/model.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reprieve/base/time.h"

namespace reprieve::core::internal {

class LineWriter {
 public:
  explicit LineWriter(std::string_view version) { Add(version); }
  LineWriter& Add(std::string_view value);
  LineWriter& Add(int64_t value) { return Add(std::string_view(std::to_string(value))); }
  LineWriter& Add(Timestamp value) { return Add(value.time_since_epoch().count()); }
  LineWriter& Add(const std::optional<Timestamp>& value) {
    return value ? Add(*value) : Add(std::string_view());
  }
  // A count, then each value.
  LineWriter& AddList(const std::vector<std::string>& values);
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what a LineWriter wrote; every read fails (and stays failed) on text it did not make.
class LineReader {
 public:
  // Fails unless `text` starts with the line `version`.
  LineReader(std::string_view text, std::string_view version);
  bool ok() const { return ok_; }
  bool done() const { return next_ == lines_.size(); }
  std::string Text();
  int64_t Int();
  Timestamp Time() { return Timestamp(Duration(Int())); }
  std::optional<Timestamp> OptionalTime();
  std::vector<std::string> List();

 private:
  std::vector<std::string_view> lines_;
  size_t next_ = 0;
  bool ok_ = true;
};

}  // namespace reprieve::core::internal
