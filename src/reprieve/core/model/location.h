// Azure location names: "West US" and "westus" name the same region.
#pragma once

#include <string>
#include <string_view>

namespace reprieve::core {

// Lower-case with spaces removed: the form ARM compares locations in.
std::string NormalizeLocation(std::string_view location);

}  // namespace reprieve::core
