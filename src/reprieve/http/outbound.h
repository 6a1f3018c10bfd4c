// One outbound HTTP exchange as values (the webhook deliveries' requests and answers);
// http/server/HttpClient carries them.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace reprieve::http {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // for the whole exchange
  size_t max_body = 64 * 1024;               // a longer answer fails
  std::string user_agent = "Reprieve-EventDelivery/1.0";
};

struct OutboundResponse {
  int status = 0;     // 0: no answer (see error)
  std::string body;   // at most the request's max_body
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;  // why there is no answer

  // The value of header `name` (case-insensitive), "" if absent.
  std::string Header(const std::string& name) const;
};

// Sends one request and waits for its answer.
using OutboundSender = std::function<OutboundResponse(const OutboundRequest&)>;

}  // namespace reprieve::http
