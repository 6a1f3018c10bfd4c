// Principal: who made a change, as ARM's systemData reports it.
#pragma once

#include <string>
#include <utility>

namespace reprieve::core {

// Who made a change, as ARM's systemData reports it (createdByType / lastModifiedByType).
enum class PrincipalType {
  kUser = 0,
  kApplication = 1,
};

struct Principal {
  std::string name;
  PrincipalType type = PrincipalType::kUser;

  Principal() = default;
  Principal(std::string principal_name, PrincipalType principal_type)
      : name(std::move(principal_name)), type(principal_type) {}
  // A user, by name: what tools and tests mostly pass.
  Principal(std::string user) : name(std::move(user)) {}  // NOLINT(google-explicit-constructor)
  Principal(const char* user) : name(user) {}             // NOLINT(google-explicit-constructor)

  bool operator==(const Principal&) const = default;
};

}  // namespace reprieve::core
