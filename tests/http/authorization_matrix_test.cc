// The authorization matrix: every route of the table, for principals holding each of
// several roles at each of several scopes, in strict mode, through the ARM API in process.
//
// The expected outcome of each request is computed here, independently of the code under
// test, from two tables written from Azure's documentation:
//  - tests/authz/documented_roles.json: the built-in role definitions as Microsoft
//    publishes them (actions, notActions), gathered from the azure-docs repository;
//  - kRows below: for each route and method, the action Azure's resource-provider
//    operations pages name for it (or, for routes Azure has no public counterpart of,
//    the action Reprieve documents) and the scope it is evaluated on;
// and from Azure's documented evaluation rules: an action is allowed when an assignment at
// the request's scope or above names a role that lists it in `actions` and not in
// `notActions` (wildcards, case-insensitive).
//
// Every request is sent with an api-version no route accepts, so an allowed request is
// answered by its handler with a 400 and changes nothing, while a denied one is a 403
// AuthorizationFailed. The test demands zero unauthorized successes and zero wrongful
// denials, and that every route of the table has a row.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "reprieve/base/random.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/store/memory/memory_store.h"
#include "testutil/testutil.h"

namespace reprieve {
namespace {

namespace json = boost::json;

constexpr char kTenant[] = "00000000-0000-0000-0000-00000000a001";
constexpr char kSub[] = "00000000-0000-0000-0000-00000000b001";
constexpr char kOtherSub[] = "00000000-0000-0000-0000-00000000b002";
constexpr char kHost[] = "localhost";
constexpr char kBadVersion[] = "1999-01-01";

// How a route is guarded, as the issue and Azure define it.
enum class Guard {
  kRbac,       // the action at the scope
  kRootOwner,  // Owner at root scope
  kSignedIn,   // any authenticated principal
  kGraphRead,  // any principal, with a Graph token
  kGraphWrite  // Owner at root scope, with a Graph token (the directory is above every
               // subscription: a role whose "*" matches is not enough)
};

struct Row {
  std::string pattern;  // as the route table spells it
  std::string method;
  std::string path;    // a concrete request path
  Guard guard = Guard::kRbac;
  std::string action = "";  // Azure's action
  std::string scope = "";   // where it is evaluated
  std::string also_action = "";  // a second action required
  std::string also_scope = "";
};

const std::string kS = std::string("/subscriptions/") + kSub;
const std::string kG = kS + "/resourceGroups/rg1";

// The resources the "resource" scope names, one per type.
const std::vector<std::string> kResourceScopes = {
    kG + "/providers/Microsoft.CognitiveServices/accounts/acct1",
    kG + "/providers/Microsoft.ApiManagement/service/apim1",
    kG + "/providers/Microsoft.MachineLearningServices/workspaces/ws1",
    kG + "/providers/Microsoft.KeyVault/vaults/kv1",
    kG + "/providers/Microsoft.KeyVault/managedHSMs/hsm1",
    kG + "/providers/Microsoft.Storage/storageAccounts/st1"};

void AddCrud(std::vector<Row>& rows, const std::string& pattern, const std::string& path,
             const std::string& type) {
  for (const auto& [method, verb] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "read"}, {"PUT", "write"}, {"PATCH", "write"}, {"DELETE", "delete"}}) {
    rows.push_back({pattern, method, path, Guard::kRbac, type + "/" + verb, path});
  }
  rows.push_back({pattern, "HEAD", path, Guard::kRbac, type + "/read", path});
}

// A tracked resource type: lists in group and subscription, CRUD, and its key actions.
void AddType(std::vector<Row>& rows, const std::string& ns, const std::string& type,
             const std::string& name, bool keys) {
  const std::string group_list = "/subscriptions/{subscriptionId}/resourceGroups/"
                                 "{resourceGroupName}/providers/" + ns + "/" + type;
  const std::string full = ns + "/" + type;
  rows.push_back({group_list, "GET", kG + "/providers/" + ns + "/" + type, Guard::kRbac,
                  full + "/read", kG + "/providers/" + ns + "/" + type});
  rows.push_back({"/subscriptions/{subscriptionId}/providers/" + ns + "/" + type, "GET",
                  kS + "/providers/" + ns + "/" + type, Guard::kRbac, full + "/read",
                  kS + "/providers/" + ns + "/" + type});
  const std::string item = kG + "/providers/" + ns + "/" + type + "/" + name;
  AddCrud(rows, group_list + "/{name}", item, full);
  if (keys) {
    for (const std::string action : {"listKeys", "regenerateKey"}) {
      rows.push_back({group_list + "/{name}/" + action, "POST", item + "/" + action,
                      Guard::kRbac, full + "/" + action + "/action", item});
    }
  }
}

// The subscription-wide list of a deleted collection: `{ns}/{collection}/read`.
void AddDeletedList(std::vector<Row>& rows, const std::string& ns, const std::string& collection) {
  const std::string path = kS + "/providers/" + ns + "/" + collection;
  rows.push_back({"/subscriptions/{subscriptionId}/providers/" + ns + "/" + collection, "GET", path,
                  Guard::kRbac, ns + "/" + collection + "/read", path});
}

std::vector<Row> Rows() {
  std::vector<Row> rows;
  const std::string sub_providers = "/subscriptions/{subscriptionId}/providers/";
  // Cognitive Services: Microsoft.CognitiveServices operations (Azure docs).
  AddType(rows, "Microsoft.CognitiveServices", "accounts", "acct1", true);
  AddDeletedList(rows, "Microsoft.CognitiveServices", "deletedAccounts");
  const std::string cs_deleted =
      kS + "/providers/Microsoft.CognitiveServices/locations/eastus/resourceGroups/rg1/"
           "deletedAccounts/acct1";
  const std::string cs_deleted_pattern =
      sub_providers + "Microsoft.CognitiveServices/locations/{location}/resourceGroups/"
                      "{resourceGroupName}/deletedAccounts/{name}";
  rows.push_back({cs_deleted_pattern, "GET", cs_deleted, Guard::kRbac,
                  "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/read",
                  cs_deleted});
  rows.push_back({cs_deleted_pattern, "DELETE", cs_deleted, Guard::kRbac,
                  "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete",
                  cs_deleted});

  // API Management: purge needs locations/deletedservices/delete and, at subscription
  // scope, deletedservices/read (the API Management soft-delete document).
  AddType(rows, "Microsoft.ApiManagement", "service", "apim1", false);
  AddDeletedList(rows, "Microsoft.ApiManagement", "deletedservices");
  const std::string apim_deleted =
      kS + "/providers/Microsoft.ApiManagement/locations/eastus/deletedservices/apim1";
  const std::string apim_pattern =
      sub_providers + "Microsoft.ApiManagement/locations/{location}/deletedservices/{name}";
  rows.push_back({apim_pattern, "GET", apim_deleted, Guard::kRbac,
                  "Microsoft.ApiManagement/locations/deletedservices/read", apim_deleted});
  rows.push_back({apim_pattern, "DELETE", apim_deleted, Guard::kRbac,
                  "Microsoft.ApiManagement/locations/deletedservices/delete", apim_deleted,
                  "Microsoft.ApiManagement/deletedservices/read", kS});

  // Machine Learning: workspaces and their children (Azure docs); the deleted-workspace
  // routes are Reprieve's (no public counterpart), with the actions its docs name.
  AddType(rows, "Microsoft.MachineLearningServices", "workspaces", "ws1", false);
  const std::string ws_pattern = "/subscriptions/{subscriptionId}/resourceGroups/"
                                 "{resourceGroupName}/providers/"
                                 "Microsoft.MachineLearningServices/workspaces/{name}/";
  const std::string ws = kG + "/providers/Microsoft.MachineLearningServices/workspaces/ws1/";
  for (const std::string child :
       {"models", "data", "environments", "components", "datastores", "notebooks", "pipelines",
        "designerPipelines", "labelingJobs", "jobs", "computes", "onlineEndpoints",
        "batchEndpoints", "caches", "roleAssignments", "linkedWorkspaces"}) {
    const std::string type = "Microsoft.MachineLearningServices/workspaces/" + child;
    rows.push_back({ws_pattern + child, "GET", ws + child, Guard::kRbac, type + "/read",
                    ws + child});
    AddCrud(rows, ws_pattern + child + "/{childName}", ws + child + "/c1", type);
  }
  const std::string ml = "Microsoft.MachineLearningServices/deletedWorkspaces";
  AddDeletedList(rows, "Microsoft.MachineLearningServices", "deletedWorkspaces");
  const std::string ml_group_pattern =
      "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/" + ml;
  const std::string ml_group = kG + "/providers/" + ml;
  rows.push_back({ml_group_pattern, "GET", ml_group, Guard::kRbac, ml + "/read", ml_group});
  rows.push_back({ml_group_pattern + "/{name}", "GET", ml_group + "/ws1", Guard::kRbac,
                  ml + "/read", ml_group + "/ws1"});
  rows.push_back({ml_group_pattern + "/{name}", "DELETE", ml_group + "/ws1", Guard::kRbac,
                  ml + "/delete", ml_group + "/ws1"});
  rows.push_back({ml_group_pattern + "/{name}/recover", "POST", ml_group + "/ws1/recover",
                  Guard::kRbac, ml + "/recover/action", ml_group + "/ws1"});

  // Key Vault: vaults and managed HSMs; purge is its own action (Azure docs), which Key
  // Vault Contributor's notActions exclude.
  AddType(rows, "Microsoft.KeyVault", "vaults", "kv1", false);
  AddType(rows, "Microsoft.KeyVault", "managedHSMs", "hsm1", false);
  for (const std::string collection : {"deletedVaults", "deletedManagedHSMs"}) {
    const std::string ns = "Microsoft.KeyVault/";
    AddDeletedList(rows, "Microsoft.KeyVault", collection);
    const std::string item = kS + "/providers/" + ns + "locations/eastus/" + collection + "/kv1";
    const std::string pattern = sub_providers + ns + "locations/{location}/" + collection + "/{name}";
    rows.push_back({pattern, "GET", item, Guard::kRbac, ns + "locations/" + collection + "/read",
                    item});
    rows.push_back({pattern + "/purge", "POST", item + "/purge", Guard::kRbac,
                    ns + "locations/" + collection + "/purge/action", item});
  }

  // Storage accounts (Azure docs); deleted accounts are read-only (no purge).
  AddType(rows, "Microsoft.Storage", "storageAccounts", "st1", false);
  AddDeletedList(rows, "Microsoft.Storage", "deletedAccounts");
  const std::string st_deleted =
      kS + "/providers/Microsoft.Storage/locations/eastus/deletedAccounts/st1";
  rows.push_back({sub_providers + "Microsoft.Storage/locations/{location}/deletedAccounts/{name}",
                  "GET", st_deleted, Guard::kRbac, "Microsoft.Storage/locations/deletedAccounts/read",
                  st_deleted});

  // Operation status URLs of each namespace.
  for (const std::string ns : {"Microsoft.CognitiveServices", "Microsoft.ApiManagement",
                               "Microsoft.MachineLearningServices", "Microsoft.KeyVault",
                               "Microsoft.Storage"}) {
    for (const std::string kind : {"operationStatuses", "operationResults"}) {
      const std::string path = kS + "/providers/" + ns + "/locations/eastus/" + kind + "/op1";
      rows.push_back({sub_providers + ns + "/locations/{location}/" + kind + "/{operationId}",
                      "GET", path, Guard::kRbac, ns + "/locations/" + kind + "/read", path});
    }
  }

  // Microsoft.Resources (Azure docs).
  const std::string groups = "Microsoft.Resources/subscriptions/resourceGroups";
  rows.push_back({"/subscriptions/{subscriptionId}", "GET", kS, Guard::kRbac,
                  "Microsoft.Resources/subscriptions/read", kS});
  rows.push_back({"/subscriptions/{subscriptionId}/resourceGroups", "GET", kS + "/resourceGroups",
                  Guard::kRbac, groups + "/read", kS + "/resourceGroups"});
  AddCrud(rows, "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}", kG, groups);
  // Azure Monitor's activity log: read at the subscription.
  rows.push_back({"/subscriptions/{subscriptionId}/providers/microsoft.insights/eventtypes/management/values",
                  "GET", kS + "/providers/microsoft.insights/eventtypes/management/values",
                  Guard::kRbac, "Microsoft.Insights/eventtypes/values/read", kS});
  rows.push_back({"/subscriptions/{subscriptionId}/operationresults/{operationId}", "GET",
                  kS + "/operationresults/op1", Guard::kRbac,
                  "Microsoft.Resources/subscriptions/operationresults/read",
                  kS + "/operationresults/op1"});
  rows.push_back({"/subscriptions/{subscriptionId}/providers/{ns}/register", "POST",
                  kS + "/providers/Microsoft.KeyVault/register", Guard::kRbac,
                  "Microsoft.KeyVault/register/action", kS + "/providers/Microsoft.KeyVault"});
  // Microsoft.Features (Azure docs).
  const std::string features = kS + "/providers/Microsoft.Features/providers/"
                                    "Microsoft.MachineLearningServices/features";
  const std::string features_pattern =
      sub_providers + "Microsoft.Features/providers/{ns}/features";
  rows.push_back({sub_providers + "Microsoft.Features/features", "GET",
                  kS + "/providers/Microsoft.Features/features", Guard::kRbac,
                  "Microsoft.Features/features/read", kS + "/providers/Microsoft.Features/features"});
  rows.push_back({features_pattern, "GET", features, Guard::kRbac,
                  "Microsoft.Features/providers/features/read", features});
  rows.push_back({features_pattern + "/{feature}", "GET", features + "/WorkspaceSoftDelete",
                  Guard::kRbac, "Microsoft.Features/providers/features/read",
                  features + "/WorkspaceSoftDelete"});
  for (const std::string verb : {"register", "unregister"}) {
    rows.push_back({features_pattern + "/{feature}/" + verb, "POST",
                    features + "/WorkspaceSoftDelete/" + verb, Guard::kRbac,
                    "Microsoft.Features/providers/features/" + verb + "/action",
                    features + "/WorkspaceSoftDelete"});
  }
  // Readable by every principal (answers filtered to what it may see).
  rows.push_back({"/subscriptions", "GET", "/subscriptions", Guard::kSignedIn});
  rows.push_back({"/tenants", "GET", "/tenants", Guard::kSignedIn});
  rows.push_back({"/subscriptions/{subscriptionId}/providers", "GET", kS + "/providers",
                  Guard::kSignedIn});
  rows.push_back({"/subscriptions/{subscriptionId}/providers/{ns}", "GET",
                  kS + "/providers/Microsoft.KeyVault", Guard::kSignedIn});

  // Microsoft.Authorization at each scope (Azure docs), here at the group.
  const std::string auth_pattern = "{scope}/providers/Microsoft.Authorization/";
  const std::string auth = kG + "/providers/Microsoft.Authorization/";
  for (const std::string kind : {"roleAssignments", "roleDefinitions"}) {
    const std::string type = "Microsoft.Authorization/" + kind;
    rows.push_back({auth_pattern + kind, "GET", auth + kind, Guard::kRbac, type + "/read", kG});
    const std::string item = auth + kind + "/2ef1a44a-1c39-4a3b-9c5e-000000000001";
    const std::string name = kind == "roleAssignments" ? "{roleAssignmentName}" : "{roleDefinitionId}";
    for (const auto& [method, verb] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "read"}, {"PUT", "write"}, {"DELETE", "delete"}}) {
      rows.push_back({auth_pattern + kind + "/" + name, method, item, Guard::kRbac,
                      type + "/" + verb, kG});
    }
  }

  // Microsoft.EventGrid event subscriptions (Azure's resource provider operations list:
  // eventSubscriptions/read, /write, /delete, /getFullUrl/action), at subscription and group.
  for (const std::string& scope : {kS, kG}) {
    const std::string pattern =
        std::string(scope == kS ? "/subscriptions/{subscriptionId}"
                                : "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}") +
        "/providers/Microsoft.EventGrid/eventSubscriptions";
    const std::string list = scope + "/providers/Microsoft.EventGrid/eventSubscriptions";
    const std::string item = list + "/es1";
    const std::string type = "Microsoft.EventGrid/eventSubscriptions/";
    rows.push_back({pattern, "GET", list, Guard::kRbac, type + "read", scope});
    for (const auto& [method, verb] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "read"}, {"PUT", "write"}, {"PATCH", "write"}, {"DELETE", "delete"}}) {
      rows.push_back({pattern + "/{eventSubscriptionName}", method, item, Guard::kRbac,
                      type + verb, item});
    }
    rows.push_back({pattern + "/{eventSubscriptionName}/getFullUrl", "POST", item + "/getFullUrl",
                    Guard::kRbac, type + "getFullUrl/action", item});
    // The status of a PUT: read on the event subscription.
    rows.push_back({pattern + "/{eventSubscriptionName}/operationStatus", "GET",
                    item + "/operationStatus", Guard::kRbac, type + "read", item});
  }

  // Reprieve's recycle bin (Reprieve.Lifecycle, a namespace of its own; its one action is
  // the one README documents): read at the subscription or the group it lists.
  for (const std::string& scope : {kS, kG}) {
    const std::string pattern =
        std::string(scope == kS ? "/subscriptions/{subscriptionId}"
                                : "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}") +
        "/providers/Reprieve.Lifecycle/deletedResources";
    rows.push_back({pattern, "GET", scope + "/providers/Reprieve.Lifecycle/deletedResources",
                    Guard::kRbac, "Reprieve.Lifecycle/deletedResources/read", scope});
  }

  // The admin API: Owner at root only.
  for (const auto& [pattern, method] : std::vector<std::pair<std::string, std::string>>{
           {"/reprieve/admin/clock", "GET"}, {"/reprieve/admin/clock", "POST"},
           {"/reprieve/admin/tenants", "GET"}, {"/reprieve/admin/tenants/{tenantId}", "PUT"},
           {"/reprieve/admin/subscriptions", "GET"},
           {"/reprieve/admin/subscriptions/{subscriptionId}", "PUT"},
           {"/reprieve/admin/signingKeys", "GET"},
           {"/reprieve/admin/signingKeys/rotate", "POST"},
           {"/reprieve/admin/operations", "GET"},
           {"/reprieve/admin/operations/failNext", "POST"},
           {"/reprieve/admin/events", "GET"}}) {
    std::string path = pattern;
    path = std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "not-a-guid");
    rows.push_back({pattern, method, path, Guard::kRootOwner});
  }

  // Graph: reads for every principal; writes need the directory actions at root.
  const std::string app = "/graph/v1.0/applications/0000aaaa-0000-4000-8000-000000000009";
  const std::string sp = "/graph/v1.0/servicePrincipals/0000aaaa-0000-4000-8000-000000000009";
  for (const auto& [pattern, method, path] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/graph/v1.0/applications", "GET", "/graph/v1.0/applications"},
           {"/graph/v1.0/applications/{id}", "GET", app},
           {"/graph/v1.0/servicePrincipals", "GET", "/graph/v1.0/servicePrincipals"},
           {"/graph/v1.0/servicePrincipals/{id}", "GET", sp},
           {"/graph/v1.0/users", "GET", "/graph/v1.0/users"},
           {"/graph/v1.0/users/{id}", "GET", "/graph/v1.0/users/x"},
           {"/graph/v1.0/me", "GET", "/graph/v1.0/me"},
           {"/graph/v1.0/directoryObjects/getByIds", "POST",
            "/graph/v1.0/directoryObjects/getByIds"}}) {
    rows.push_back({pattern, method, path, Guard::kGraphRead});
  }
  for (const auto& [pattern, method, path, action] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"/graph/v1.0/applications", "POST", "/graph/v1.0/applications",
            "microsoft.directory/applications/create"},
           {"/graph/v1.0/applications/{id}", "PATCH", app,
            "microsoft.directory/applications/basic/update"},
           {"/graph/v1.0/applications/{id}", "DELETE", app,
            "microsoft.directory/applications/delete"},
           {"/graph/v1.0/applications/{id}/addPassword", "POST", app + "/addPassword",
            "microsoft.directory/applications/credentials/update"},
           {"/graph/v1.0/applications/{id}/removePassword", "POST", app + "/removePassword",
            "microsoft.directory/applications/credentials/update"},
           {"/graph/v1.0/servicePrincipals", "POST", "/graph/v1.0/servicePrincipals",
            "microsoft.directory/servicePrincipals/create"},
           {"/graph/v1.0/servicePrincipals/{id}", "DELETE", sp,
            "microsoft.directory/servicePrincipals/delete"}}) {
    rows.push_back({pattern, method, path, Guard::kGraphWrite, action, "/"});
  }
  return rows;
}

// ---------------------------------------------------------------- the expectations

struct DocumentedRole {
  std::string name;
  std::string id;
  std::vector<std::string> actions;
  std::vector<std::string> not_actions;
};

std::vector<std::string> StringList(const json::value& value) {
  std::vector<std::string> out;
  for (const json::value& item : value.as_array()) out.emplace_back(item.as_string());
  return out;
}

std::map<std::string, DocumentedRole> DocumentedRoles() {
  std::ifstream in(REPRIEVE_DOCUMENTED_ROLES);
  std::stringstream text;
  text << in.rdbuf();
  const json::value doc = json::parse(text.str());
  std::map<std::string, DocumentedRole> roles;
  for (const json::value& role : doc.at("roles").as_array()) {
    DocumentedRole r;
    r.name = std::string(role.at("roleName").as_string());
    r.id = std::string(role.at("id").as_string());
    r.actions = StringList(role.at("actions"));
    r.not_actions = StringList(role.at("notActions"));
    roles[r.name] = r;
  }
  return roles;
}

// Azure's wildcard rule, as a regular expression: '*' is any run of characters.
bool Glob(const std::string& pattern, const std::string& action) {
  std::string re;
  for (const char c : pattern) {
    if (c == '*') {
      re += ".*";
    } else if (std::isalnum(static_cast<unsigned char>(c))) {
      re += c;
    } else {
      re += std::string("\\") + c;
    }
  }
  return std::regex_match(action, std::regex(re, std::regex::icase));
}

bool Grants(const DocumentedRole& role, const std::string& action) {
  bool listed = false;
  for (const std::string& a : role.actions) listed = listed || Glob(a, action);
  bool excluded = false;
  for (const std::string& a : role.not_actions) excluded = excluded || Glob(a, action);
  return listed && !excluded;
}

// Inheritance: an assignment applies at its scope and every scope beneath it.
bool Covers(const std::string& assigned, const std::string& scope) {
  if (assigned == "/") return true;
  const std::string a = AsciiLower(assigned);
  const std::string s = AsciiLower(scope);
  return s == a || s.rfind(a + "/", 0) == 0;
}

struct Principal {
  std::string label;  // "Reader at subscription"
  std::string role;   // "" for none
  std::vector<std::string> scopes;
  std::string object_id;
  std::string arm_token;
  std::string graph_token;
};

bool Expected(const Row& row, const Principal& p, const std::map<std::string, DocumentedRole>& roles) {
  const auto holds = [&](const std::string& action, const std::string& scope) {
    if (p.role.empty()) return false;
    for (const std::string& assigned : p.scopes) {
      if (Covers(assigned, scope) && Grants(roles.at(p.role), action)) return true;
    }
    return false;
  };
  switch (row.guard) {
    case Guard::kSignedIn:
    case Guard::kGraphRead:
      return true;
    case Guard::kRootOwner:
    case Guard::kGraphWrite:
      return p.role == "Owner" && p.scopes == std::vector<std::string>{"/"};
    case Guard::kRbac:
      return holds(row.action, row.scope) &&
             (row.also_action.empty() || holds(row.also_action, row.also_scope));
  }
  return false;
}

// ---------------------------------------------------------------- the harness

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  AuthorizationMatrixTest()
      : clock_(testutil::ParseUtc("2026-01-01T00:00:00Z")),
        store_(store::NewMemoryStore()),
        random_(NewSystemRandom()),
        service_(*store_, clock_, *random_, core::PolicyCatalog::Builtin()) {
    EXPECT_TRUE(service_.tenancy().PutTenant(kTenant, "{}").has_value());
    for (const char* sub : {kSub, kOtherSub}) {
      EXPECT_TRUE(service_.tenancy().PutSubscription(sub, kTenant, "{}").has_value());
    }
    http::ArmApiOptions options;
    options.manual_clock = &clock_;
    options.default_tenant = kTenant;
    options.auth = http::AuthMode::kStrict;
    api_ = http::ArmApi::Create(service_, clock_, *random_, options).value();
  }

  http::HttpResponse Send(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body = "",
                          std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::HttpRequest request{method, target, {{"host", kHost}}, body, true};
    request.from_loopback = true;
    if (!token.empty()) request.headers.emplace_back("authorization", "Bearer " + token);
    for (auto& header : headers) request.headers.push_back(std::move(header));
    if (!body.empty() && body.front() == '{') {
      request.headers.emplace_back("content-type", "application/json");
    }
    return api_->Handle(request);
  }

  static json::object Parse(const http::HttpResponse& response) {
    return json::parse(response.body).as_object();
  }

  std::string ManagedIdentityToken(const std::string& resource) {
    const auto response = Send("POST", "/reprieve/msi/token", "", "resource=" + resource,
                               {{"metadata", "true"}});
    EXPECT_EQ(response.status, 200) << response.body;
    return std::string(Parse(response).at("access_token").as_string());
  }

  // A service principal with a secret, signed in for ARM and Graph.
  Principal NewPrincipal(const std::string& label) {
    Principal p;
    p.label = label;
    auto app = Send("POST", "/graph/v1.0/applications", admin_graph_,
                    json::serialize(json::object{{"displayName", label}}));
    EXPECT_EQ(app.status, 201) << app.body;
    const json::object app_body = Parse(app);
    const std::string app_id(app_body.at("appId").as_string());
    auto password = Send("POST",
                         "/graph/v1.0/applications/" +
                             std::string(app_body.at("id").as_string()) + "/addPassword",
                         admin_graph_, "{}");
    EXPECT_EQ(password.status, 200) << password.body;
    const std::string secret(Parse(password).at("secretText").as_string());
    auto sp = Send("POST", "/graph/v1.0/servicePrincipals", admin_graph_,
                   json::serialize(json::object{{"appId", app_id}}));
    EXPECT_EQ(sp.status, 201) << sp.body;
    p.object_id = std::string(Parse(sp).at("id").as_string());
    for (const bool graph : {false, true}) {
      const std::string scope = std::string("https://") + kHost + (graph ? "/graph/" : "/") +
                                "/.default";
      auto token = Send("POST", std::string("/") + kTenant + "/oauth2/v2.0/token", "",
                        "grant_type=client_credentials&client_id=" + app_id +
                            "&client_secret=" + secret + "&scope=" + scope,
                        {{"content-type", "application/x-www-form-urlencoded"}});
      EXPECT_EQ(token.status, 200) << token.body;
      (graph ? p.graph_token : p.arm_token) =
          std::string(Parse(token).at("access_token").as_string());
    }
    return p;
  }

  // The managed identity assigns `role_id` to `principal_id` at `scope`.
  http::HttpResponse PutAssignment(const std::string& principal_id, const std::string& role_id,
                                   const std::string& scope) {
    const std::string prefix = scope == "/" ? "" : scope;
    return Send(
        "PUT",
        prefix + "/providers/Microsoft.Authorization/roleAssignments/" + random_->NewUuid() +
            "?api-version=2022-04-01",
        admin_arm_,
        json::serialize(json::object{
            {"properties",
             json::object{{"roleDefinitionId",
                           "/providers/Microsoft.Authorization/roleDefinitions/" + role_id},
                          {"principalId", principal_id},
                          {"principalType", "ServicePrincipal"}}}}));
  }

  void Assign(const Principal& p, const std::string& role_id, const std::string& scope) {
    const auto response = PutAssignment(p.object_id, role_id, scope);
    ASSERT_EQ(response.status, 201) << response.body;
  }

  // PUT of the custom role `role_id` ("name", assignable at `assignable`, granting `actions`)
  // at `scope`, with `token`.
  http::HttpResponse PutRoleDefinition(const std::string& token, const std::string& scope,
                                       const std::string& role_id, const std::string& name,
                                       const json::array& assignable, const json::array& actions) {
    return Send("PUT",
                scope + "/providers/Microsoft.Authorization/roleDefinitions/" + role_id +
                    "?api-version=2022-04-01",
                token,
                json::serialize(json::object{
                    {"properties",
                     json::object{{"roleName", name},
                                  {"assignableScopes", assignable},
                                  {"permissions", json::array{json::object{
                                                      {"actions", actions},
                                                      {"notActions", json::array()}}}}}}}));
  }

  ManualClock clock_;
  std::unique_ptr<core::ResourceStore> store_;
  std::unique_ptr<RandomSource> random_;
  core::ResourceService service_;
  std::unique_ptr<http::ArmApi> api_;
  std::string admin_arm_;
  std::string admin_graph_;
};

TEST_F(AuthorizationMatrixTest, EveryRouteAnswersAsAzuresRoleDefinitionsSay) {
  const std::vector<Row> rows = Rows();
  const std::map<std::string, DocumentedRole> roles = DocumentedRoles();

  // Every route the table serves has a row for each method it serves.
  std::set<std::pair<std::string, std::string>> covered;
  for (const Row& row : rows) covered.insert({row.pattern, row.method == "HEAD" ? "GET" : row.method});
  for (const http::ArmApi::RouteInfo& route : api_->Routes()) {
    // /metrics is open to loopback peers, as every request here is: health_test.cc checks
    // its guard from elsewhere.
    if (route.access == "public" || route.access == "loopback-or-root-owner") continue;
    if (route.pattern.find("/{ns}/{type}") != std::string::npos) {
      continue;  // the fallbacks that explain unknown namespaces and types
    }
    for (const auto& [method, action] : route.actions) {
      EXPECT_TRUE(covered.count({route.pattern, method}))
          << "no row for " << method << " " << route.pattern << " (" << action << ")";
    }
  }

  admin_arm_ = ManagedIdentityToken("https://localhost/");
  admin_graph_ = ManagedIdentityToken("https://localhost/graph/");

  // A custom role defined by the test: reads of Cognitive Services accounts, live and
  // deleted, and nothing else.
  const std::string custom_id = "7a39ad13-5a1c-4c2b-9f2e-c0ffee000001";
  std::map<std::string, DocumentedRole> all_roles = roles;
  all_roles["Custom reader"] = {"Custom reader", custom_id,
                                {"Microsoft.CognitiveServices/accounts/read",
                                 "Microsoft.CognitiveServices/deletedAccounts/read",
                                 "Microsoft.CognitiveServices/locations/*/deletedAccounts/read"},
                                {}};
  const auto defined =
      PutRoleDefinition(admin_arm_, kS, custom_id, "Custom reader", json::array{"/"},
                        json::value_from(all_roles["Custom reader"].actions).as_array());
  ASSERT_EQ(defined.status, 201) << defined.body;

  const std::vector<std::string> role_names = {"Owner",
                                               "Contributor",
                                               "Reader",
                                               "Cognitive Services Contributor",
                                               "API Management Service Contributor",
                                               "Key Vault Contributor",
                                               "Key Vault Purge Operator",
                                               "Custom reader"};
  const std::vector<std::pair<std::string, std::vector<std::string>>> scopes = {
      {"root", {"/"}},
      {"subscription", {kS}},
      {"group", {kG}},
      {"resource", kResourceScopes},
      {"another subscription", {std::string("/subscriptions/") + kOtherSub}}};
  std::vector<Principal> principals;
  for (const std::string& role : role_names) {
    for (const auto& [scope_label, scope_list] : scopes) {
      Principal p = NewPrincipal(role + " at " + scope_label);
      p.role = role;
      p.scopes = scope_list;
      for (const std::string& scope : scope_list) Assign(p, all_roles.at(role).id, scope);
      principals.push_back(std::move(p));
    }
  }
  principals.push_back(NewPrincipal("no role"));

  int unauthorized_successes = 0;
  int wrongful_denials = 0;
  int allowed = 0;
  int denied = 0;
  for (const Principal& p : principals) {
    for (const Row& row : rows) {
      const bool graph = row.guard == Guard::kGraphRead || row.guard == Guard::kGraphWrite;
      const char* body = row.method == "POST" || row.method == "PUT" || row.method == "PATCH"
                             ? "{}"
                             : "";
      const auto response = Send(row.method, row.path + "?api-version=" + kBadVersion,
                                 graph ? p.graph_token : p.arm_token, body);
      ASSERT_NE(response.status, 401) << p.label << " " << row.method << " " << row.path << ": "
                                      << response.body;
      const bool refused = response.status == 403;
      const bool expected = Expected(row, p, all_roles);
      if (refused && row.method != "HEAD") {  // a HEAD answer has no body
        EXPECT_NE(response.body.find("AuthorizationFailed"), std::string::npos)
            << p.label << " " << row.method << " " << row.path << ": " << response.body;
      }
      if (expected && refused) {
        ++wrongful_denials;
        ADD_FAILURE() << "wrongful denial: " << p.label << " " << row.method << " " << row.path
                      << " (" << row.action << "): " << response.body;
      } else if (!expected && !refused) {
        ++unauthorized_successes;
        ADD_FAILURE() << "unauthorized success: " << p.label << " " << row.method << " "
                      << row.path << " (" << row.action << "): " << response.status << " "
                      << response.body;
      }
      (expected ? allowed : denied) += 1;
    }
  }
  EXPECT_EQ(unauthorized_successes, 0);
  EXPECT_EQ(wrongful_denials, 0);
  // Both outcomes are exercised in bulk.
  EXPECT_GT(allowed, 1000);
  EXPECT_GT(denied, 1000);
}

// A role acts wherever it is assignable, so writing it needs the write action at each of
// its assignable scopes (Azure's LinkedAuthorizationFailed otherwise): an Owner of one group
// may not widen a custom role that is assignable, and assigned, above it.
TEST_F(AuthorizationMatrixTest, AnOwnerOfAGroupCannotRewriteARoleAssignableAboveIt) {
  admin_arm_ = ManagedIdentityToken("https://localhost/");
  admin_graph_ = ManagedIdentityToken("https://localhost/graph/");
  const std::string role_id = "7a39ad13-5a1c-4c2b-9f2e-c0ffee000002";
  const auto define = [&](const std::string& token, const std::string& scope,
                          const json::array& assignable, const json::array& actions) {
    return PutRoleDefinition(token, scope, role_id, "Reader of accounts", assignable, actions);
  };
  ASSERT_EQ(define(admin_arm_, kS, json::array{kS},
                   json::array{"Microsoft.CognitiveServices/accounts/read"})
                .status,
            201);
  Principal group_owner = NewPrincipal("Owner of rg1");
  Assign(group_owner, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", kG);  // Owner
  // Widening the role from the group it owns: refused, and the role is unchanged.
  const auto widened = define(group_owner.arm_token, kG, json::array{"/"}, json::array{"*"});
  EXPECT_EQ(widened.status, 403) << widened.body;
  EXPECT_NE(widened.body.find("LinkedAuthorizationFailed"), std::string::npos) << widened.body;
  const auto deleted = Send("DELETE",
                            kG + "/providers/Microsoft.Authorization/roleDefinitions/" + role_id +
                                "?api-version=2022-04-01",
                            group_owner.arm_token);
  EXPECT_EQ(deleted.status, 403) << deleted.body;
  const auto shown = Send("GET",
                          kS + "/providers/Microsoft.Authorization/roleDefinitions/" + role_id +
                              "?api-version=2022-04-01",
                          admin_arm_);
  EXPECT_NE(shown.body.find("Microsoft.CognitiveServices/accounts/read"), std::string::npos)
      << shown.body;
  // A role assignable only at the subscription cannot be assigned at root.
  const auto root = PutAssignment(group_owner.object_id, role_id, "/");
  EXPECT_EQ(root.status, 403) << root.body;
}

}  // namespace
}  // namespace reprieve
