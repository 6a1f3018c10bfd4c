#include "reprieve/cli/output.h"

#include <algorithm>

namespace reprieve::cli {
namespace json = boost::json;

namespace {

std::string Scalar(const json::value* v) {
  if (v == nullptr || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_double()) return json::serialize(*v);
  return json::serialize(*v);
}

// Tabs and newlines would break a row.
std::string Cell(std::string text) {
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n'; }, ' ');
  return text;
}

}  // namespace

Column Field(std::string header, std::string path) {
  return Column{std::move(header), [path](const json::object& object) {
                  const json::object* at = &object;
                  size_t start = 0;
                  while (true) {
                    const size_t dot = path.find('.', start);
                    const json::value* v = at->if_contains(path.substr(start, dot - start));
                    if (dot == std::string::npos) return Scalar(v);
                    if (v == nullptr || !v->is_object()) return std::string();
                    at = &v->as_object();
                    start = dot + 1;
                  }
                }};
}

std::string TimeRemaining(Timestamp now, Timestamp until) {
  if (until <= now) return "due";
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(until - now).count();
  if (minutes < 1) return "< 1 min";
  const auto days = minutes / (24 * 60);
  const auto hours = (minutes / 60) % 24;
  if (days > 0) return std::to_string(days) + " d " + std::to_string(hours) + " h";
  if (hours > 0) return std::to_string(hours) + " h " + std::to_string(minutes % 60) + " min";
  return std::to_string(minutes) + " min";
}

void Print(std::ostream& out, OutputFormat format, const json::value& value,
           const std::vector<Column>& columns) {
  if (format == OutputFormat::kJson) {
    out << json::serialize(value) << "\n";
    return;
  }
  std::vector<const json::object*> objects;
  if (value.is_array()) {
    for (const json::value& item : value.as_array()) {
      if (item.is_object()) objects.push_back(&item.as_object());
    }
  } else if (value.is_object()) {
    objects.push_back(&value.as_object());
  }
  std::vector<std::vector<std::string>> rows;
  for (const json::object* object : objects) {
    std::vector<std::string> row;
    for (const Column& column : columns) row.push_back(Cell(column.value(*object)));
    rows.push_back(std::move(row));
  }
  if (format == OutputFormat::kTsv) {
    for (const auto& row : rows) {
      for (size_t idx = 0; idx < row.size(); ++idx) out << (idx ? "\t" : "") << row[idx];
      out << "\n";
    }
    return;
  }
  std::vector<size_t> widths;
  for (const Column& column : columns) widths.push_back(column.header.size());
  for (const auto& row : rows) {
    for (size_t idx = 0; idx < row.size(); ++idx) widths[idx] = std::max(widths[idx], row[idx].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t idx = 0; idx < cells.size(); ++idx) {
      text += cells[idx];
      if (idx + 1 < cells.size()) text += std::string(widths[idx] - cells[idx].size() + 2, ' ');
    }
    out << text << "\n";
  };
  std::vector<std::string> header;
  std::vector<std::string> rule;
  for (size_t idx = 0; idx < columns.size(); ++idx) {
    header.push_back(columns[idx].header);
    rule.push_back(std::string(widths[idx], '-'));
  }
  line(header);
  line(rule);
  for (const auto& row : rows) line(row);
}

}  // namespace reprieve::cli
