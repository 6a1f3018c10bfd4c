// The one mapping from Status to the wire: HTTP status code and the ARM error envelope
// {"error":{"code","message","target","details":[],"additionalInfo":[]}}.
#pragma once

#include <string>
#include <string_view>

#include "reprieve/base/status.h"

namespace reprieve::http {

struct ArmError {
  int http_status;
  std::string code;  // ARM error.code
};

// REQUIRES: !status.ok().
ArmError MapStatus(const Status& status);

// The reason phrase of an HTTP status Reprieve answers with ("Conflict", "No Content"), as
// the activity log's subStatus shows it.
std::string_view HttpStatusText(int http_status);

// The ARM error body for `status`. kInternal statuses get a generic message naming
// `request_id`; their details belong in the log only.
std::string ArmErrorBody(const Status& status, std::string_view request_id);

// The OAuth 2.0 error body a token endpoint answers with (RFC 6749 §5.2, as Entra ID
// shapes it): {"error": status.arm_code(), "error_description", "error_codes", ...}. The
// HTTP status is MapStatus's.
std::string OAuthErrorBody(const Status& status, std::string_view request_id,
                           std::string_view timestamp);

}  // namespace reprieve::http
