// The ARM API on arbitrary requests: "METHOD TARGET\n" then the body. Every route and every
// type's body handling is reachable; no input may produce a 5xx.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t line_end = input.find('\n');
  const std::string_view line = input.substr(0, line_end);
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return 0;
  reprieve::http::HttpRequest request;
  request.from_loopback = true;
  request.method = std::string(line.substr(0, space));
  request.target = std::string(line.substr(space + 1));
  if (request.target.empty() || request.target.front() != '/') return 0;
  request.headers = {{"host", "localhost"},
                     {"authorization", "Bearer fuzz"},
                     {"content-type", "application/json"}};
  if (line_end != std::string_view::npos) request.body = std::string(input.substr(line_end + 1));
  reprieve::fuzz::CheckAnswer(reprieve::fuzz::Api().Handle(request));
  return 0;
}
