#include "reprieve/http/http_message.h"

#include "reprieve/base/strings.h"

namespace reprieve::http {

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [existing, existing_value] : headers) {
    if (EqualsIgnoreCase(existing, name)) {
      existing_value = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

void HttpResponse::AddHeader(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
}

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [existing, value] : headers) {
    if (EqualsIgnoreCase(existing, name)) return value;
  }
  return {};
}

}  // namespace reprieve::http
