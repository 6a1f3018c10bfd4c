// HttpRequest / HttpResponse: Reprieve's own value types for one HTTP exchange, so that the
// ARM API layer is independent of the HTTP library (http/server binds them to Beast).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reprieve::http {

struct HttpRequest {
  std::string method;  // upper-case: "GET", "PUT", ...
  std::string target;  // origin-form as received: path and query, percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  bool secure = true;  // received over TLS (absolute URLs use https)
  bool from_loopback = false;  // the peer's address is a loopback address (127/8, ::1)
  // When the server had read the request (its latency is measured from here); the epoch
  // when no server read it (tests).
  std::chrono::steady_clock::time_point received{};

  // The first header with this (lower-case) name; empty if none.
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Replaces the header's value (case-insensitive name), or adds it.
  void SetHeader(std::string name, std::string value);
  // Adds a header the response is known not to have yet.
  void AddHeader(std::string name, std::string value);
  // The header's value (case-insensitive name); empty if none.
  std::string_view Header(std::string_view name) const;
};

}  // namespace reprieve::http
