// Small ASCII string helpers. ARM names and path segments are matched case-insensitively
// in ASCII only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace reprieve {

std::string AsciiLower(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);
// Splits on `sep`, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view text, char sep);

}  // namespace reprieve
