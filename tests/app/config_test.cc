#include "reprieve/app/config.h"

#include <gtest/gtest.h>

#include "testutil/testutil.h"

namespace reprieve::app {
namespace {

using testutil::StatusIs;

TEST(ConfigTest, DefaultsServeLocalhostWithSqliteInData) {
  ASSERT_OK_AND_ASSIGN(Config config, ParseFlags({}));
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8443);
  EXPECT_EQ(config.data_dir, "./data");
  EXPECT_EQ(config.store, "sqlite:./data/reprieve.db");
  EXPECT_FALSE(config.manual_clock);
  EXPECT_FALSE(config.strict_auth);
  EXPECT_TRUE(config.managed_identity);
}

TEST(ConfigTest, AuthModeAndManagedIdentity) {
  ASSERT_OK_AND_ASSIGN(Config config,
                       ParseFlags({"--auth", "strict", "--managed-identity=off"}));
  EXPECT_TRUE(config.strict_auth);
  EXPECT_FALSE(config.managed_identity);
  EXPECT_THAT(ParseFlags({"--auth", "lax"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFlags({"--managed-identity", "maybe"}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, OperationDurationsGloballyOrPerKindAndFailureRates) {
  using core::OperationKind;
  using std::chrono::minutes;
  using std::chrono::seconds;
  ASSERT_OK_AND_ASSIGN(Config global, ParseFlags({"--operation-duration", "PT2M"}));
  ASSERT_EQ(global.operation_durations.size(), 4u);  // every kind
  for (const auto& [kind, duration] : global.operation_durations) EXPECT_EQ(duration, minutes(2));
  ASSERT_OK_AND_ASSIGN(
      Config per_kind,
      ParseFlags({"--operation-duration=recover=PT2M,purge=PT30S,delete=PT10S,create=PT1M",
                  "--operation-failure-rate", "purge=0.5,recover=0.1", "--retry-after-s", "3"}));
  using Durations = std::vector<std::pair<OperationKind, Duration>>;
  EXPECT_EQ(per_kind.operation_durations,
            (Durations{{OperationKind::kRecover, minutes(2)}, {OperationKind::kPurge, seconds(30)},
                       {OperationKind::kDelete, seconds(10)}, {OperationKind::kCreate, minutes(1)}}));
  using Rates = std::vector<std::pair<OperationKind, double>>;
  EXPECT_EQ(per_kind.operation_failure_rates,
            (Rates{{OperationKind::kPurge, 0.5}, {OperationKind::kRecover, 0.1}}));
  EXPECT_EQ(per_kind.retry_after_seconds, 3);
  const auto invalid = StatusIs(StatusCode::kInvalidArgument);
  EXPECT_THAT(ParseFlags({"--operation-duration", "sweep=PT1M"}), invalid);
  EXPECT_THAT(ParseFlags({"--operation-duration", "recover=2m"}), invalid);
  EXPECT_THAT(ParseFlags({"--operation-duration", "recover=PT1M,"}), invalid);
  EXPECT_THAT(ParseFlags({"--operation-failure-rate", "purge=1.5"}), invalid);
  EXPECT_THAT(ParseFlags({"--operation-failure-rate", "purge=-0.1"}), invalid);
  EXPECT_THAT(ParseFlags({"--retry-after-s", "0"}), invalid);  // never 0: clients wait 30 s
}

TEST(ConfigTest, ThePurgeWarningIsADayAheadUnlessSet) {
  ASSERT_OK_AND_ASSIGN(Config defaults, ParseFlags({}));
  EXPECT_EQ(defaults.purge_warning, std::chrono::hours(24));
  ASSERT_OK_AND_ASSIGN(Config two_days, ParseFlags({"--purge-warning", "P2D"}));
  EXPECT_EQ(two_days.purge_warning, std::chrono::hours(48));
  EXPECT_THAT(ParseFlags({"--purge-warning", "24h"}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, LogsAreTextAndTheShutdownGraceTenSecondsUnlessSet) {
  ASSERT_OK_AND_ASSIGN(Config defaults, ParseFlags({}));
  EXPECT_FALSE(defaults.json_logs);
  EXPECT_EQ(defaults.shutdown_grace, std::chrono::seconds(10));
  ASSERT_OK_AND_ASSIGN(Config set,
                       ParseFlags({"--log-format", "json", "--shutdown-grace", "PT1M30S"}));
  EXPECT_TRUE(set.json_logs);
  EXPECT_EQ(set.shutdown_grace, std::chrono::seconds(90));
  ASSERT_OK_AND_ASSIGN(Config seconds, ParseFlags({"--shutdown-grace", "3"}));
  EXPECT_EQ(seconds.shutdown_grace, std::chrono::seconds(3));
  EXPECT_TRUE(defaults.request_log);
  ASSERT_OK_AND_ASSIGN(Config quiet, ParseFlags({"--request-log", "off"}));
  EXPECT_FALSE(quiet.request_log);
  EXPECT_THAT(ParseFlags({"--request-log", "maybe"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFlags({"--log-format", "xml"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFlags({"--shutdown-grace", "soon"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFlags({"--shutdown-grace", "PT2H"}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, TheLastClockFlagWins) {
  ASSERT_OK_AND_ASSIGN(Config config, ParseFlags({"--clock", "manual", "--clock", "system"}));
  EXPECT_FALSE(config.manual_clock);
}

TEST(ConfigTest, ParsesEveryFlagInBothForms) {
  ASSERT_OK_AND_ASSIGN(
      Config config,
      ParseFlags({"--listen", "0.0.0.0:0", "--data-dir=/tmp/x", "--clock", "manual",
                  "--clock-start", "2026-01-01T00:00:00Z", "--tls-cert", "c.pem", "--tls-key=k.pem",
                  "--plain-listen", "127.0.0.1:8080", "--sweep-interval-ms", "10",
                  "--io-threads=4", "--verbose", "--name-reservation", "PT12H",
                  "--read-timeout-s", "2", "--idle-timeout-s=3"}));
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 0);
  EXPECT_EQ(config.store, "sqlite:/tmp/x/reprieve.db");
  EXPECT_TRUE(config.manual_clock);
  EXPECT_EQ(config.clock_start, testutil::ParseUtc("2026-01-01T00:00:00Z"));
  EXPECT_EQ(config.tls_cert, "c.pem");
  EXPECT_EQ(config.tls_key, "k.pem");
  EXPECT_EQ(config.plain_listen, "127.0.0.1:8080");
  EXPECT_EQ(config.sweep_interval, std::chrono::milliseconds(10));
  EXPECT_EQ(config.io_threads, 4);
  EXPECT_TRUE(config.verbose);
  EXPECT_EQ(config.name_reservation, std::chrono::hours(12));
  EXPECT_EQ(config.read_timeout, std::chrono::seconds(2));
  EXPECT_EQ(config.idle_timeout, std::chrono::seconds(3));
}

TEST(ConfigTest, RefusesBadFlagsNamingThem) {
  for (const std::vector<std::string>& bad : std::vector<std::vector<std::string>>{
           {"--listen", "8443"},
           {"--listen", "host:99999"},
           {"--listen"},
           {"--clock", "sundial"},
           {"--clock-start", "2026-01-01T00:00:00Z"},
           {"--clock", "manual", "--clock-start", "tomorrow"},
           {"--tls-cert", "only.pem"},
           {"--plain-listen", "0.0.0.0:80"},
           {"--sweep-interval-ms", "0"},
           {"--io-threads", "x"},
           {"--name-reservation", "a week"},
           {"--frobnicate"}}) {
    const auto result = ParseFlags(bad);
    EXPECT_THAT(result, StatusIs(StatusCode::kInvalidArgument)) << bad[0];
    EXPECT_NE(result.status().message().find(bad[0].substr(0, bad[0].find('='))),
              std::string::npos)
        << result.status().message();
  }
}

TEST(ConfigTest, UsageDocumentsTheFlags) {
  for (const char* flag : {"--listen", "--data-dir", "--tls-cert", "--tls-key", "--clock",
                           "--store", "--help"}) {
    EXPECT_NE(Usage().find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace reprieve::app
