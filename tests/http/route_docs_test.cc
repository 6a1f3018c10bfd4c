// docs/routes.md is the route table, written out: every path Reprieve serves, each method,
// who may call it and the Azure action it is authorized by. This test fails when the two
// differ; `REPRIEVE_UPDATE_DOCS=1 build/ci/tests/http_test --gtest_filter=RouteDocs*`
// rewrites the file from the table.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "reprieve/base/random.h"
#include "reprieve/core/policy/policy_catalog.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/store/memory/memory_store.h"
#include "testutil/testutil.h"

namespace reprieve {
namespace {

std::string Describe(const std::string& access) {
  if (access == "public") return "anyone (no token)";
  if (access == "signed-in") return "any principal (the answer shows what it may see)";
  if (access == "root-owner") return "Owner at root scope";
  if (access == "loopback-or-root-owner") return "anyone on the host (no token); else Owner at root scope";
  if (access == "graph-read") return "any principal (Graph token)";
  if (access == "graph-write") return "Owner at root scope (Graph token)";
  if (access == "action-or-starter") return "the action at the path, or the operation's starter";
  return "the action at the path";
}

std::string Render(const std::vector<http::ArmApi::RouteInfo>& routes) {
  std::ostringstream out;
  out << "# Routes\n\n"
      << "Every request Reprieve serves, in the order its route table matches them: the path\n"
      << "pattern (`{scope}` stands for any ARM scope, `/` included), each method, who may call\n"
      << "it, and the Azure action it is authorized by, evaluated at the request's path (an\n"
      << "action route's scope is its path less a trailing action segment). Generated from the\n"
      << "route table; `tests/http/route_docs_test.cc` fails when the two differ.\n\n"
      << "| path | method | who may call it | action |\n"
      << "| --- | --- | --- | --- |\n";
  for (const http::ArmApi::RouteInfo& route : routes) {
    for (const auto& [method, action] : route.actions) {
      out << "| `" << route.pattern << "` | " << method << " | " << Describe(route.access)
          << " | " << (action.empty() ? "" : "`" + action + "`") << " |\n";
    }
  }
  return out.str();
}

TEST(RouteDocsTest, DocsRoutesIsTheRouteTable) {
  ManualClock clock(testutil::ParseUtc("2026-01-01T00:00:00Z"));
  auto store = store::NewMemoryStore();
  auto random = NewSequentialRandom();
  core::ResourceService service(*store, clock, *random, core::PolicyCatalog::Builtin());
  http::ArmApiOptions options;
  options.default_tenant = "00000000-0000-0000-0000-00000000a001";
  auto api = http::ArmApi::Create(service, clock, *random, options);
  ASSERT_TRUE(api.has_value());
  const std::string expected = Render((*api)->Routes());
  const char* path = REPRIEVE_ROUTES_DOC;
  if (const char* update = std::getenv("REPRIEVE_UPDATE_DOCS"); update && *update == '1') {
    std::ofstream(path) << expected;
  }
  std::ifstream in(path);
  std::stringstream actual;
  actual << in.rdbuf();
  EXPECT_EQ(actual.str(), expected) << "docs/routes.md differs from the route table; rewrite it "
                                       "with REPRIEVE_UPDATE_DOCS=1";
}

}  // namespace
}  // namespace reprieve
