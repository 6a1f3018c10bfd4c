#include "reprieve/core/internal/text_codec.h"

#include <charconv>

namespace reprieve::core::internal {
namespace {

std::optional<std::string> Unescape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '\\') {
      out += value[i];
      continue;
    }
    if (++i == value.size()) return std::nullopt;
    if (value[i] == 'n') {
      out += '\n';
    } else if (value[i] == '\\') {
      out += '\\';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

LineWriter& LineWriter::Add(std::string_view value) {
  for (const char c : value) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_ += '\n';
  return *this;
}

LineWriter& LineWriter::AddList(const std::vector<std::string>& values) {
  Add(static_cast<int64_t>(values.size()));
  for (const std::string& value : values) Add(value);
  return *this;
}

LineReader::LineReader(std::string_view text, std::string_view version) {
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {  // every line ends with '\n'
      ok_ = false;
      return;
    }
    lines_.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  ok_ = !lines_.empty() && lines_[0] == version;
  next_ = ok_ ? 1 : lines_.size();
}

std::string LineReader::Text() {
  if (!ok_ || next_ == lines_.size()) {
    ok_ = false;
    return {};
  }
  auto value = Unescape(lines_[next_++]);
  if (!value) ok_ = false;
  return value.value_or("");
}

int64_t LineReader::Int() {
  const std::string text = Text();
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!ok_ || ec != std::errc() || end != text.data() + text.size()) ok_ = false;
  return ok_ ? value : 0;
}

std::optional<Timestamp> LineReader::OptionalTime() {
  if (ok_ && next_ < lines_.size() && lines_[next_].empty()) {
    ++next_;
    return std::nullopt;
  }
  return Time();
}

std::vector<std::string> LineReader::List() {
  const int64_t count = Int();
  std::vector<std::string> values;
  if (!ok_ || count < 0 || static_cast<size_t>(count) > lines_.size() - next_) {
    ok_ = false;
    return values;
  }
  for (int64_t i = 0; i < count; ++i) values.push_back(Text());
  return values;
}

}  // namespace reprieve::core::internal
