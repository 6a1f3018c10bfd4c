#include "reprieve/http/arm_error.h"

#include <boost/json.hpp>

namespace reprieve::http {
namespace {

struct Default {
  int http_status;
  const char* code;
};

Default DefaultFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return {200, ""};
    case StatusCode::kInvalidArgument: return {400, "InvalidRequestContent"};
    case StatusCode::kUnauthenticated: return {401, "AuthenticationFailed"};
    case StatusCode::kPermissionDenied: return {403, "AuthorizationFailed"};
    case StatusCode::kNotFound: return {404, "ResourceNotFound"};
    case StatusCode::kAlreadyExists: return {409, "Conflict"};
    case StatusCode::kFailedPrecondition: return {409, "Conflict"};
    case StatusCode::kAborted: return {409, "Conflict"};
    case StatusCode::kResourceExhausted: return {429, "TooManyRequests"};
    case StatusCode::kUnavailable: return {503, "ServiceUnavailable"};
    case StatusCode::kUnimplemented: return {405, "MethodNotAllowed"};
    case StatusCode::kInternal: return {500, "InternalServerError"};
  }
  return {500, "InternalServerError"};
}

// ARM codes whose HTTP status differs from their StatusCode's default.
int HttpStatusOverride(std::string_view arm_code) {
  if (arm_code == "PreconditionFailed") return 412;
  // OAuth token-endpoint errors (RFC 6749 §5.2): a bad client answers 401, the rest 400.
  if (arm_code == "invalid_client") return 401;
  if (arm_code == "invalid_request" || arm_code == "unauthorized_client" ||
      arm_code == "unsupported_grant_type" || arm_code == "invalid_resource" ||
      arm_code == "invalid_scope") {
    return 400;
  }
  if (arm_code == "RequestEntityTooLarge") return 413;
  if (arm_code == "UnsupportedMediaType") return 415;
  if (arm_code == "RequestHeaderFieldsTooLarge") return 431;
  return 0;
}

}  // namespace

ArmError MapStatus(const Status& status) {
  const Default fallback = DefaultFor(status.code());
  ArmError error{fallback.http_status, status.arm_code().empty() ? fallback.code : status.arm_code()};
  if (const int override_status = HttpStatusOverride(error.code); override_status != 0) {
    error.http_status = override_status;
  }
  return error;
}

std::string ArmErrorBody(const Status& status, std::string_view request_id) {
  const ArmError mapped = MapStatus(status);
  boost::json::object error;
  error["code"] = mapped.code;
  if (status.code() == StatusCode::kInternal) {
    error["message"] = "The server encountered an internal error. Request id: '" +
                       std::string(request_id) + "'.";
  } else {
    error["message"] = status.message();
  }
  if (status.target().empty()) {
    error["target"] = nullptr;
  } else {
    error["target"] = status.target();
  }
  error["details"] = boost::json::array();
  error["additionalInfo"] = boost::json::array();
  boost::json::object body;
  body["error"] = std::move(error);
  return boost::json::serialize(body);
}

std::string OAuthErrorBody(const Status& status, std::string_view request_id,
                           std::string_view timestamp) {
  boost::json::object body;
  body["error"] = status.arm_code().empty() ? "invalid_request" : status.arm_code();
  body["error_description"] = status.message();
  // Entra ID's descriptions start with their AADSTS number: clients show it.
  boost::json::array codes;
  const std::string_view message = status.message();
  if (message.substr(0, 6) == "AADSTS") {
    int64_t number = 0;
    for (size_t idx = 6; idx < message.size() && message[idx] >= '0' && message[idx] <= '9'; ++idx) {
      number = number * 10 + (message[idx] - '0');
    }
    codes.push_back(number);
  }
  body["error_codes"] = std::move(codes);
  body["timestamp"] = timestamp;
  body["trace_id"] = request_id;
  body["correlation_id"] = request_id;
  return boost::json::serialize(body);
}

std::string_view HttpStatusText(int http_status) {
  switch (http_status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "";
  }
}

}  // namespace reprieve::http
