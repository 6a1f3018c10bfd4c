#include "reprieve/core/model/location.h"

#include "reprieve/base/strings.h"

namespace reprieve::core {

std::string NormalizeLocation(std::string_view location) {
  std::string out;
  out.reserve(location.size());
  for (char c : AsciiLower(location)) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

}  // namespace reprieve::core
