// Runs the ARM wire scenarios in tests/scenarios/*.scenario in-process: HttpRequests go
// straight to ArmApi over core and a real store (memory and SQLite), with a FakeClock.
//
// Scenario format (one step after another; '#' starts a comment line):
//
//   PUT /subscriptions/{sub}/resourcegroups/rg1?api-version=2025-04-01
//   > If-Match: *                 request header; "> -Authorization" drops a default one
//   {"location": "eastus"}        body: every line up to the `expect` line
//   expect 201                    status, optionally the ARM error code: `expect 404 ResourceNotFound`
//   header Location: https://localhost/subscriptions/*    (a trailing * matches any rest)
//   no-header Azure-AsyncOperation
//   capture NAME header:Location | body:path.to.value     reuse later as {NAME}
//   contains some text            the body contains the text
//   {"name": "rg1"}               JSON the body must contain: objects match as subsets,
//                                 "*" matches any present value, "<absent>" a missing one;
//                                 the JSON runs until a blank line or another check
//
//   advance PT49H                 moves the FakeClock
//   sweep 1                       runs the purge sweeper; expects that many purges
//   operation-duration delete=PT1M  how long operations of that kind run from now on
//
// {sub} is the default subscription; captured absolute URLs may be used as request targets.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "reprieve/base/random.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/lifecycle/purge_sweeper.h"
#include "reprieve/core/service/resource_service.h"
#include "reprieve/http/arm_api.h"
#include "reprieve/store/store_factory.h"
#include "testutil/testutil.h"

namespace reprieve {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr char kSubscription[] = "00000000-0000-0000-0000-00000000b001";
constexpr char kTenant[] = "00000000-0000-0000-0000-00000000a001";
constexpr char kBase[] = "https://localhost";

struct Param {
  std::string file;
  std::string store;  // "memory" or "sqlite"
};

void PrintTo(const Param& param, std::ostream* os) {
  *os << fs::path(param.file).filename().string() << " on " << param.store;
}

std::vector<Param> AllScenarios() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(REPRIEVE_SCENARIO_DIR)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<Param> params;
  for (const std::string& file : files) {
    params.push_back({file, "memory"});
    params.push_back({file, "sqlite"});
  }
  return params;
}

// Whether `actual` contains `expected` (see the format above); `why` says where not.
bool Matches(const json::value& expected, const json::value* actual, const std::string& path,
             std::string& why) {
  if (expected.is_string() && expected.as_string() == "<absent>") {
    if (actual == nullptr) return true;
    why = path + " should be absent but is " + json::serialize(*actual);
    return false;
  }
  if (actual == nullptr) {
    why = path + " is missing";
    return false;
  }
  if (expected.is_string() && expected.as_string() == "*") return true;
  if (expected.is_object()) {
    if (!actual->is_object()) {
      why = path + " should be an object but is " + json::serialize(*actual);
      return false;
    }
    for (const auto& member : expected.as_object()) {
      const json::value* child = actual->as_object().if_contains(member.key());
      if (!Matches(member.value(), child, path + "." + std::string(member.key()), why)) {
        return false;
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual->is_array() || actual->as_array().size() != expected.as_array().size()) {
      why = path + " should be an array of " + std::to_string(expected.as_array().size()) +
            " but is " + json::serialize(*actual);
      return false;
    }
    for (size_t i = 0; i < expected.as_array().size(); ++i) {
      if (!Matches(expected.as_array()[i], &actual->as_array()[i],
                   path + "[" + std::to_string(i) + "]", why)) {
        return false;
      }
    }
    return true;
  }
  if (expected.is_number() && actual->is_number()) {
    if (expected.to_number<double>() == actual->to_number<double>()) return true;
  } else if (expected == *actual) {
    return true;
  }
  why = path + " should be " + json::serialize(expected) + " but is " + json::serialize(*actual);
  return false;
}

const json::value* AtPath(const json::value& root, std::string_view path) {
  const json::value* current = &root;
  for (std::string_view part : Split(path, '.')) {
    if (current == nullptr) return nullptr;
    if (current->is_array()) {
      const size_t index = std::stoul(std::string(part));
      current = index < current->as_array().size() ? &current->as_array()[index] : nullptr;
    } else if (current->is_object()) {
      current = current->as_object().if_contains(part);
    } else {
      return nullptr;
    }
  }
  return current;
}

class ScenarioTest : public ::testing::TestWithParam<Param> {
 protected:
  ScenarioTest()
      : clock_(testutil::ParseUtc("2026-01-01T00:00:00Z")), random_(NewSequentialRandom()) {}

  void SetUp() override {
    auto store = store::OpenStore(GetParam().store == "memory"
                                      ? std::string("memory:")
                                      : "sqlite:" + dir_.path() + "/reprieve.db");
    ASSERT_OK(store);
    store_ = std::move(store).value();
    service_ = std::make_unique<core::ResourceService>(*store_, clock_, *random_,
                                                       core::PolicyCatalog::Builtin());
    ASSERT_OK(service_->tenancy().PutTenant(kTenant, R"({"displayName":"Reprieve"})"));
    ASSERT_OK(service_->tenancy().PutSubscription(
        kSubscription, kTenant,
        std::string(R"({"tenantId":")") + kTenant + R"(","displayName":"Reprieve default"})"));
    sweeper_ = std::make_unique<core::PurgeSweeper>(*store_, clock_, core::PolicyCatalog::Builtin(),
                                                     core::PurgeSweeper::Options{});
    http::ArmApiOptions options;
    options.manual_clock = &clock_;
    options.sweep_now = [this] { return Sweep(); };
    options.default_tenant = kTenant;
    options.operations = &operations_;
    api_ = http::ArmApi::Create(*service_, clock_, *random_, options).value();
    vars_["sub"] = kSubscription;
  }

  int64_t Sweep() {
    int64_t purged = 0;
    while (true) {
      auto report = sweeper_->RunOnce();
      EXPECT_OK(report);
      if (!report.has_value()) return purged;
      purged += static_cast<int64_t>(report->purged.size());
      if (!report->more_due) return purged;
    }
  }

  std::string Substitute(std::string text) const {
    for (const auto& [name, value] : vars_) {
      const std::string token = "{" + name + "}";
      for (size_t pos = text.find(token); pos != std::string::npos; pos = text.find(token, pos)) {
        text.replace(pos, token.size(), value);
        pos += value.size();
      }
    }
    return text;
  }

  void Run(const std::string& file);

  testutil::TempDir dir_;
  testutil::FakeClock clock_;
  std::unique_ptr<RandomSource> random_;
  std::unique_ptr<core::ResourceStore> store_;
  std::unique_ptr<core::ResourceService> service_;
  std::unique_ptr<core::PurgeSweeper> sweeper_;
  core::OperationSchedule operations_;
  std::unique_ptr<http::ArmApi> api_;
  std::map<std::string, std::string> vars_;
};

bool IsRequestLine(const std::string& line) {
  for (const char* method : {"GET ", "PUT ", "POST ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS "}) {
    if (line.rfind(method, 0) == 0) return true;
  }
  return false;
}

bool IsCheck(const std::string& line) {
  for (const char* prefix : {"header ", "no-header ", "capture ", "contains ", "not-contains "}) {
    if (line.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

void ScenarioTest::Run(const std::string& file) {
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  const std::string name = fs::path(file).filename().string();
  size_t i = 0;
  const auto where = [&](size_t line) { return name + ":" + std::to_string(line + 1); };
  http::HttpResponse response;
  json::value body;

  while (i < lines.size()) {
    const std::string line = lines[i];
    if (line.empty() || line[0] == '#') {
      ++i;
      continue;
    }
    if (line.rfind("advance ", 0) == 0) {
      const auto by = ParseIsoDuration(line.substr(8));
      ASSERT_TRUE(by.has_value()) << where(i) << ": bad duration";
      clock_.Advance(*by);
      ++i;
      continue;
    }
    if (line.rfind("operation-duration ", 0) == 0) {
      const std::string setting = line.substr(19);
      const size_t eq = setting.find('=');
      const auto kind = core::ParseOperationKind(setting.substr(0, eq));
      const auto duration = ParseIsoDuration(setting.substr(eq + 1));
      ASSERT_TRUE(eq != std::string::npos && kind && duration) << where(i) << ": bad setting";
      operations_.SetDuration(*kind, *duration);
      ++i;
      continue;
    }
    if (line.rfind("sweep", 0) == 0) {
      const int64_t purged = Sweep();
      if (line.size() > 6) {
        EXPECT_EQ(purged, std::stoll(line.substr(6))) << where(i);
      }
      ++i;
      continue;
    }
    ASSERT_TRUE(IsRequestLine(line)) << where(i) << ": expected a request, got '" << line << "'";
    const size_t request_line = i;
    http::HttpRequest request;
    request.from_loopback = true;  // in process: the caller is this machine
    request.method = line.substr(0, line.find(' '));
    request.target = Substitute(line.substr(line.find(' ') + 1));
    if (request.target.rfind(kBase, 0) == 0) request.target.erase(0, std::strlen(kBase));
    request.headers = {{"host", "localhost"}, {"authorization", "Bearer scenario-token"}};
    ++i;
    for (; i < lines.size() && lines[i].rfind("> ", 0) == 0; ++i) {
      const std::string header = lines[i].substr(2);
      if (header[0] == '-') {
        const std::string drop = AsciiLower(header.substr(1));
        std::erase_if(request.headers, [&](const auto& h) { return h.first == drop; });
        continue;
      }
      const size_t colon = header.find(':');
      request.headers.emplace_back(AsciiLower(header.substr(0, colon)),
                                   header.substr(colon + 2));
    }
    std::string request_body;
    for (; i < lines.size() && lines[i].rfind("expect ", 0) != 0; ++i) {
      ASSERT_FALSE(IsRequestLine(lines[i])) << where(i) << ": request without expect";
      request_body += lines[i] + "\n";
    }
    ASSERT_LT(i, lines.size()) << where(request_line) << ": missing expect";
    request.body = Substitute(request_body);
    while (!request.body.empty() && request.body.back() == '\n') request.body.pop_back();
    if (!request.body.empty()) request.headers.emplace_back("content-type", "application/json");

    response = api_->Handle(request);
    body = json::value();
    if (!response.body.empty()) {
      std::error_code ec;
      body = json::parse(response.body, ec);
      if (ec) body = json::value();
    }
    const std::string context = where(request_line) + " " + request.method + " " +
                                request.target + "\n  response " +
                                std::to_string(response.status) + ": " + response.body;

    std::istringstream expect(lines[i].substr(7));
    int status = 0;
    std::string code;
    expect >> status >> code;
    EXPECT_EQ(response.status, status) << context;
    if (!code.empty()) {
      const json::value* actual = AtPath(body, "error.code");
      EXPECT_TRUE(actual && actual->is_string() && actual->as_string() == code)
          << context << "\n  expected error code " << code;
      EXPECT_NE(AtPath(body, "error.message"), nullptr) << context;
    }
    ++i;
    for (; i < lines.size() && !lines[i].empty(); ++i) {
      const std::string check = Substitute(lines[i]);
      if (check.rfind("header ", 0) == 0) {
        const size_t colon = check.find(':');
        const std::string header = check.substr(7, colon - 7);
        std::string want = check.substr(colon + 2);
        const std::string got(response.Header(header));
        if (!want.empty() && want.back() == '*') {
          want.pop_back();
          EXPECT_EQ(got.substr(0, want.size()), want) << context << "\n  header " << header;
        } else {
          EXPECT_EQ(got, want) << context << "\n  header " << header;
        }
      } else if (check.rfind("no-header ", 0) == 0) {
        EXPECT_EQ(response.Header(check.substr(10)), "") << context;
      } else if (check.rfind("capture ", 0) == 0) {
        std::istringstream words(check.substr(8));
        std::string var, source;
        words >> var >> source;
        if (source.rfind("header:", 0) == 0) {
          vars_[var] = std::string(response.Header(source.substr(7)));
        } else {
          const json::value* value = AtPath(body, source.substr(5));
          ASSERT_NE(value, nullptr) << context << "\n  nothing to capture at " << source;
          vars_[var] = value->is_string() ? std::string(value->as_string())
                                          : json::serialize(*value);
        }
        EXPECT_FALSE(vars_[var].empty()) << context << "\n  captured nothing for " << var;
      } else if (check.rfind("contains ", 0) == 0) {
        EXPECT_NE(response.body.find(check.substr(9)), std::string::npos)
            << context << "\n  expected the body to contain: " << check.substr(9);
      } else if (check.rfind("not-contains ", 0) == 0) {
        EXPECT_EQ(response.body.find(check.substr(13)), std::string::npos)
            << context << "\n  expected the body not to contain: " << check.substr(13);
      } else {
        std::string expected_text;
        for (; i < lines.size() && !lines[i].empty() && !IsCheck(lines[i]); ++i) {
          expected_text += Substitute(lines[i]);
        }
        --i;
        std::error_code ec;
        const json::value expected = json::parse(expected_text, ec);
        ASSERT_FALSE(ec) << where(i) << ": expected JSON is malformed: " << expected_text;
        std::string why;
        EXPECT_TRUE(Matches(expected, &body, "body", why)) << context << "\n  " << why;
      }
    }
  }
}

TEST_P(ScenarioTest, Passes) { Run(GetParam().file); }

INSTANTIATE_TEST_SUITE_P(Scenarios, ScenarioTest, ::testing::ValuesIn(AllScenarios()),
                         [](const auto& test_info) {
                           std::string name = fs::path(test_info.param.file).stem().string() +
                                              "_" + test_info.param.store;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace reprieve
