#include "reprieve/core/service/access_records.h"

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"

namespace reprieve::core {
namespace {

std::string_view TrimSlash(std::string_view scope) {
  while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
  return scope;
}

}  // namespace

std::string RoleAssignmentKey(std::string_view scope, std::string_view guid) {
  return std::string(kRbacKeyPrefix) + AsciiLower(TrimSlash(scope)) +
         "/providers/microsoft.authorization/roleassignments/" + AsciiLower(guid);
}

std::string RoleDefinitionKey(std::string_view guid) {
  return std::string(kRbacKeyPrefix) + "/providers/microsoft.authorization/roledefinitions/" +
         AsciiLower(guid);
}

std::string DirectoryKey(std::string_view type, std::string_view object_id) {
  const std::string_view kind = type == kApplicationType ? "applications" : "serviceprincipals";
  return "/reprieve/directory/" + std::string(kind) + "/" + AsciiLower(object_id);
}

std::string AssignmentsUnder(std::string_view resource_key) {
  return std::string(kRbacKeyPrefix) + AsciiLower(TrimSlash(resource_key)) + "/";
}

AccessRecords::AccessRecords(ResourceStore& store, const Clock* clock, Journal* journal)
    : store_(store), clock_(clock), journal_(journal) {
  static std::atomic<uint64_t> instances{0};
  generation_ = (instances.fetch_add(1) + 1) << 32;
}

void AccessRecords::Record(WriteBatch& batch, const Invocation* invocation,
                           const ResourceRecord& record, std::string_view status_text) const {
  if (invocation == nullptr || journal_ == nullptr || clock_ == nullptr) return;
  journal_->Started(batch, *invocation, record, nullptr, status_text, clock_->Now());
}

Status AccessRecords::Create(ResourceRecord record, std::string_view conflict_code,
                             const Invocation* invocation) {
  record.version = 1;
  WriteBatch batch;
  batch.expect.push_back({record.key, Expectation::Kind::kAbsent, 0});
  Record(batch, invocation, record, "Created");
  const std::string key = record.key;
  batch.put.push_back(std::move(record));
  const Status status = store_.Apply(batch);
  if (status.code() == StatusCode::kAborted) {
    return AlreadyExistsError("'" + key + "' already exists.").WithArmCode(std::string(conflict_code));
  }
  if (status.ok()) Changed();
  return status;
}

Status AccessRecords::Replace(ResourceRecord record, int64_t expected_version,
                              const Invocation* invocation) {
  record.version = expected_version + 1;
  WriteBatch batch;
  batch.expect.push_back({record.key, Expectation::Kind::kActive, expected_version});
  Record(batch, invocation, record, "OK");
  batch.put.push_back(std::move(record));
  const Status status = store_.Apply(batch);
  if (status.ok()) Changed();
  return status;
}

Result<ResourceRecord> AccessRecords::Get(std::string_view key) {
  REPRIEVE_ASSIGN_OR_RETURN(ResourceRecord record, store_.Get(key));
  if (record.state != LifecycleState::kActive) {
    return NotFoundError("'" + std::string(key) + "' does not exist.");
  }
  return record;
}

Result<bool> AccessRecords::Erase(std::string_view key, const Invocation* invocation) {
  auto existing = store_.Get(key);
  if (!existing.has_value()) {
    if (existing.status().code() == StatusCode::kNotFound) return false;
    return existing.status();
  }
  WriteBatch batch;
  batch.expect.push_back({existing->key, existing->state == LifecycleState::kActive
                                             ? Expectation::Kind::kActive
                                             : Expectation::Kind::kSoftDeleted,
                          existing->version});
  batch.erase.push_back(existing->key);
  Record(batch, invocation, *existing, "OK");
  const Status status = store_.Apply(batch);
  if (status.code() == StatusCode::kAborted) return false;  // removed meanwhile
  REPRIEVE_RETURN_IF_ERROR(status);
  Changed();
  return true;
}

Result<Page> AccessRecords::List(std::string_view type, std::string_view prefix,
                                 const std::string& after, int limit) {
  ListQuery query;
  query.type = std::string(type);
  query.key_prefix = std::string(prefix);
  query.state = LifecycleState::kActive;
  query.after_key = after;
  query.limit = limit;
  return store_.List(query);
}

}  // namespace reprieve::core
