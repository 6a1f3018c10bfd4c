#include "reprieve/core/authz/access_evaluator.h"

#include <algorithm>

#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Glob matching with '*' only; iterative, backtracking to the last star (linear for the
// one or two stars action patterns have).
bool Glob(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && Lower(pattern[p]) == Lower(text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view TrimSlash(std::string_view scope) {
  while (scope.size() > 1 && scope.back() == '/') scope.remove_suffix(1);
  return scope;
}

}  // namespace

bool ActionMatches(std::string_view pattern, std::string_view action) {
  return Glob(pattern, action);
}

bool ScopeCovers(std::string_view assignment_scope, std::string_view scope) {
  assignment_scope = TrimSlash(assignment_scope);
  scope = TrimSlash(scope);
  if (assignment_scope.empty()) return false;  // not a scope: grants nothing
  if (assignment_scope == "/") return true;
  if (scope.size() < assignment_scope.size()) return false;
  if (!EqualsIgnoreCase(scope.substr(0, assignment_scope.size()), assignment_scope)) return false;
  return scope.size() == assignment_scope.size() || scope[assignment_scope.size()] == '/';
}

bool RoleGrants(const RoleDefinition& role, std::string_view action) {
  for (const Permission& permission : role.permissions) {
    bool listed = false;
    for (const std::string& pattern : permission.actions) {
      if (ActionMatches(pattern, action)) {
        listed = true;
        break;
      }
    }
    if (!listed) continue;
    bool excluded = false;
    for (const std::string& pattern : permission.not_actions) {
      if (ActionMatches(pattern, action)) {
        excluded = true;
        break;
      }
    }
    if (!excluded) return true;
  }
  return false;
}

AccessEvaluator::AccessEvaluator(std::vector<RoleDefinition> definitions,
                                 std::vector<RoleAssignment> assignments)
    : definitions_(std::move(definitions)), assignments_(std::move(assignments)) {
  for (size_t idx = 0; idx < definitions_.size(); ++idx) {
    definition_index_.emplace(AsciiLower(definitions_[idx].id), idx);
  }
  for (size_t idx = 0; idx < assignments_.size(); ++idx) {
    by_principal_[AsciiLower(assignments_[idx].principal_id)].push_back(idx);
  }
}

template <typename V>
const V* AccessEvaluator::Lookup(const Index<V>& index, std::string_view id) {
  const bool lower = std::none_of(id.begin(), id.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  const auto found = lower ? index.find(id) : index.find(AsciiLower(id));
  return found == index.end() ? nullptr : &found->second;
}

const RoleDefinition* AccessEvaluator::Definition(std::string_view id) const {
  const size_t* idx = Lookup(definition_index_, id);
  return idx == nullptr ? nullptr : &definitions_[*idx];
}

AccessDecision AccessEvaluator::Evaluate(std::string_view principal_id, std::string_view action,
                                         std::string_view scope) const {
  const std::vector<size_t>* found = Lookup(by_principal_, principal_id);
  if (found == nullptr) return {};
  for (const size_t idx : *found) {
    const RoleAssignment& assignment = assignments_[idx];
    if (!ScopeCovers(assignment.scope, scope)) continue;
    const RoleDefinition* role = Definition(assignment.role_definition_id);
    if (role != nullptr && RoleGrants(*role, action)) {
      return {true, role->role_name, assignment.scope};
    }
  }
  return {};
}

bool AccessEvaluator::HoldsRoleAt(std::string_view principal_id, std::string_view role_id,
                                  std::string_view scope) const {
  const std::vector<size_t>* found = Lookup(by_principal_, principal_id);
  if (found == nullptr) return false;
  for (const size_t idx : *found) {
    const RoleAssignment& assignment = assignments_[idx];
    if (EqualsIgnoreCase(assignment.role_definition_id, role_id) &&
        EqualsIgnoreCase(TrimSlash(assignment.scope), TrimSlash(scope))) {
      return true;
    }
  }
  return false;
}

bool AccessEvaluator::HasAnyRoleTouching(std::string_view principal_id,
                                         std::string_view scope) const {
  const std::vector<size_t>* found = Lookup(by_principal_, principal_id);
  if (found == nullptr) return false;
  for (const size_t idx : *found) {
    const std::string& assigned = assignments_[idx].scope;
    if (ScopeCovers(assigned, scope) || ScopeCovers(scope, assigned)) return true;
  }
  return false;
}

}  // namespace reprieve::core
