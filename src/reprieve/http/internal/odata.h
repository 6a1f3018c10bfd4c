// The small part of OData's $filter syntax ARM's list routes take: clauses joined by "and",
// each "name operator value" or "function(name, value)", string values in single quotes.
// Internal to reprieve_http.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace reprieve::http::internal {

// `text` without leading and trailing white space.
std::string_view Trim(std::string_view text);

// `text` without one pair of enclosing single or double quotes, if it has them.
std::string_view Unquote(std::string_view text);

// The clauses of `filter` split at " and " (any case).
std::vector<std::string_view> Clauses(std::string_view filter);

// `text` percent-encoded for a query value (everything but RFC 3986's unreserved
// characters).
std::string UrlEncode(std::string_view text);

}  // namespace reprieve::http::internal
