// The portal's files (web/), embedded in the binary at build time by
// cmake/EmbedFiles.cmake, so reprieved serves its page with nothing beside it.
#pragma once

#include <string_view>
#include <vector>

namespace reprieve::web {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/app.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

const std::vector<WebAsset>& Assets();

}  // namespace reprieve::web
