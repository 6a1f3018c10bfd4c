// HttpClient: one outbound HTTP/1.1 exchange at a time (webhook deliveries, the `reprieve`
// CLI), with Boost.Beast:
// plain HTTP or HTTPS verified against the system's roots and an extra CA file, SNI and host
// name checked, every step bounded by one deadline. Blocking: runs on the caller's thread
// (the delivery loop's, the CLI's), never on the server's.
#pragma once

#include <string>
#include <utility>

#include "reprieve/http/outbound.h"

namespace reprieve::http {

class HttpClient {
 public:
  // `ca_file`: PEM roots trusted besides the system's ("" none).
  explicit HttpClient(std::string ca_file) : ca_file_(std::move(ca_file)) {}
  OutboundResponse Send(const OutboundRequest& request) const;

 private:
  std::string ca_file_;
};

}  // namespace reprieve::http
