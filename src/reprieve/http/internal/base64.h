// base64url (RFC 4648 §5, no padding): opaque paging tokens, JWT segments.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reprieve::http::internal {

std::string Base64UrlEncode(std::string_view data);
// nullopt if `text` has characters outside the alphabet or an impossible length.
// Accepts standard base64 '+' '/' and '=' padding too (JWTs in the wild vary).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace reprieve::http::internal
