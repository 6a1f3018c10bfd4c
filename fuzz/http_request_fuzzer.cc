// The HTTP request path as a whole: raw bytes through Beast's parser with the server's
// limits, then the ARM API. Malformed requests are refused by the parser; whatever parses
// must be answered without a 5xx.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_api.h"
#include "reprieve/base/strings.h"

namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(8 * 1024 * 1024);
  parser.header_limit(16 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  const auto& in = parser.get();
  reprieve::http::HttpRequest request;
  request.method = std::string(in.method_string());
  request.target = std::string(in.target());
  for (const auto& field : in) {
    request.headers.emplace_back(reprieve::AsciiLower(field.name_string()),
                                 std::string(field.value()));
  }
  request.body = in.body();
  reprieve::fuzz::CheckAnswer(reprieve::fuzz::Api().Handle(request));
  return 0;
}
