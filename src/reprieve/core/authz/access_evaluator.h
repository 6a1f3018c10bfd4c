// AccessEvaluator: Azure RBAC's decision as a pure function. A principal may perform an
// action at a scope iff some role assignment of theirs, at that scope or above it, names a
// role one of whose permission blocks lists the action in `actions` and not in
// `notActions` (wildcards `*` anywhere, case-insensitive), as Azure evaluates it. Deny
// assignments and conditions are not modelled.
//
// An evaluator is an immutable snapshot of the definitions and assignments; it is safe to
// use from many threads at once.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "reprieve/core/authz/role.h"

namespace reprieve::core {

// Whether `pattern` (an action with `*` wildcards) matches `action`, ignoring case.
bool ActionMatches(std::string_view pattern, std::string_view action);

// Whether an assignment at `assignment_scope` applies at `scope`: the same scope or one
// above it, compared segment-wise and ignoring case ("/" covers everything).
bool ScopeCovers(std::string_view assignment_scope, std::string_view scope);

// Whether `role` grants `action` (in one permission block: listed and not excluded).
bool RoleGrants(const RoleDefinition& role, std::string_view action);

struct AccessDecision {
  bool allowed = false;
  std::string role_name;  // the role that granted it, when allowed
  std::string scope;      // the scope of that assignment
};

class AccessEvaluator {
 public:
  // `definitions`: built-in and custom roles; `assignments`: every active assignment.
  AccessEvaluator(std::vector<RoleDefinition> definitions,
                  std::vector<RoleAssignment> assignments);

  AccessDecision Evaluate(std::string_view principal_id, std::string_view action,
                          std::string_view scope) const;

  // Whether the principal holds any assignment at, above or below `scope`: what makes a
  // subscription visible to it.
  bool HasAnyRoleTouching(std::string_view principal_id, std::string_view scope) const;

  // Whether the principal holds the role (by GUID) at exactly `scope`.
  bool HoldsRoleAt(std::string_view principal_id, std::string_view role_id,
                   std::string_view scope) const;

  // The definition with this (lower-case) GUID, or null.
  const RoleDefinition* Definition(std::string_view id) const;

  const std::vector<RoleAssignment>& assignments() const { return assignments_; }

 private:
  std::vector<RoleDefinition> definitions_;
  std::vector<RoleAssignment> assignments_;
  // Keyed by lower-case id; looked up without a copy when the id already is.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  template <typename V>
  using Index = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  template <typename V>
  static const V* Lookup(const Index<V>& index, std::string_view id);

  Index<size_t> definition_index_;
  Index<std::vector<size_t>> by_principal_;
};

}  // namespace reprieve::core
