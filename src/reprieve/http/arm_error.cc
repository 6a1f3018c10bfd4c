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

}  // namespace reprieve::http
