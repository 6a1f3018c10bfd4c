#include "reprieve/http/internal/odata.h"

#include <cctype>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "reprieve/base/strings.h"

namespace reprieve::http::internal {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string_view Unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

std::vector<std::string_view> Clauses(std::string_view filter) {
  std::vector<std::string_view> clauses;
  const std::string lower = AsciiLower(filter);
  size_t start = 0;
  for (size_t at = lower.find(" and "); at != std::string::npos; at = lower.find(" and ", start)) {
    clauses.push_back(filter.substr(start, at - start));
    start = at + 5;
  }
  clauses.push_back(filter.substr(start));
  return clauses;
}

std::string UrlEncode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

}  // namespace reprieve::http::internal
