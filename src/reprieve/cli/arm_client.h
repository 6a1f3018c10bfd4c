// ArmClient: the `reprieve` CLI's HTTPS conversation with a Reprieve server — sign-in (a
// service principal's client credentials against the server's token endpoint, or, in dev
// mode, none), ARM requests, and waiting for long-running operations the way the Azure
// SDKs do (Azure-AsyncOperation, else Location, honouring Retry-After).
//
// Errors, by what the CLI's exit code says: kUnavailable — the server could not be reached
// (or answered something that is not HTTP/JSON); anything else — the server refused, with
// the ARM error's code as arm_code() and its message.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "reprieve/base/result.h"
#include "reprieve/http/server/http_client.h"

namespace reprieve::cli {

struct ServerOptions {
  std::string server = "https://127.0.0.1:8443";
  std::string ca = "./data/tls/ca.pem";  // trusted besides the system's roots, if present
  std::string client_id;                 // with client_secret and tenant: sign in as it
  std::string client_secret;
  std::string tenant;
  std::chrono::seconds wait{300};  // the longest wait for an operation
};

struct Reply {
  int status = 0;
  boost::json::value body;  // null when the answer had none
  http::OutboundResponse raw;
};

class ArmClient {
 public:
  explicit ArmClient(ServerOptions options);

  // One request; `target` is a path ("/subscriptions/...?api-version=...") or an absolute URL
  // on the server. An HTTP error status is returned as the server's ARM error.
  Result<Reply> Send(const std::string& method, const std::string& target,
                     const std::optional<boost::json::value>& body = std::nullopt);

  // Send, then wait while the answer is a running operation; the final resource (or null).
  // An operation that ends Failed or Canceled is returned as its error.
  Result<boost::json::value> Run(const std::string& method, const std::string& target,
                                 const std::optional<boost::json::value>& body = std::nullopt);

  const ServerOptions& options() const { return options_; }

 private:
  Result<std::string> Token();
  Result<Reply> Exchange(http::OutboundRequest request);
  std::string Absolute(const std::string& target) const;

  ServerOptions options_;
  http::HttpClient http_;
  std::optional<std::string> token_;
};

// `text` percent-encoded for a path segment or query value (all but RFC 3986's unreserved).
std::string UrlEncode(std::string_view text);

// The ARM error `status` carries, as the CLI prints it: "Code: message".
std::string ErrorText(const Status& status);

}  // namespace reprieve::cli
