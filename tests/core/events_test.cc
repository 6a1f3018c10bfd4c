// Lifecycle events and their delivery, as the specification: which events each transition
// commits, when the purge warning is due, and how the dispatcher validates subscriptions,
// fans events out, retries and dead-letters. Expected values come from Event Grid's
// documentation (reference/operations-events.md §3); time is the fake clock.
#include <gtest/gtest.h>

#include <deque>

#include "core/service_fixture.h"
#include "reprieve/base/strings.h"
#include "reprieve/core/events/event_dispatcher.h"
#include "reprieve/core/lifecycle/purge_sweeper.h"

namespace reprieve::core {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// An endpoint whose answers the test chooses: each call takes the next scripted answer, or
// 200 (and a correct handshake) when none is left.
class ScriptedTransport : public EventTransport {
 public:
  TransportAnswer Validate(const EventSubscription& subscription) override {
    validations.push_back(subscription.name);
    TransportAnswer answer = Next();
    if (answer.status == 200 && !refuse_handshake) answer.validated = true;
    return answer;
  }
  TransportAnswer Deliver(const EventSubscription& subscription,
                          const std::vector<LifecycleEvent>& events, int delivery_count) override {
    batches.push_back({subscription.name, events, delivery_count});
    return Next();
  }

  struct Batch {
    std::string subscription;
    std::vector<LifecycleEvent> events;
    int delivery_count;
  };
  std::deque<int> answers;  // statuses to answer with; 0: no answer
  bool refuse_handshake = false;
  std::vector<std::string> validations;
  std::vector<Batch> batches;

  // Every event type delivered, in order.
  std::vector<std::string> Types() const {
    std::vector<std::string> types;
    for (const Batch& batch : batches) {
      for (const LifecycleEvent& e : batch.events) types.push_back(e.event_type);
    }
    return types;
  }

 private:
  TransportAnswer Next() {
    TransportAnswer answer;
    answer.status = 200;
    if (!answers.empty()) {
      answer.status = answers.front();
      answers.pop_front();
    }
    if (answer.status == 0) answer.detail = "connection refused";
    return answer;
  }
};

std::string DataOf(const LifecycleEvent& event, const std::string& name) {
  for (const auto& [key, value] : event.data) {
    if (key == name) return value;
  }
  return "<absent>";
}

class EventsTest : public ServiceTest {
 protected:
  EventsTest() : dispatcher_(*store_, clock_, transport_, {}) {}

  // An active subscription-scope event subscription `name` receiving `types` (all if empty).
  void Subscribe(const std::string& name, std::vector<std::string> types = {},
                 const std::string& scope = std::string("/subscriptions/") + kSub,
                 EventSubscriptionState state = EventSubscriptionState::kSucceeded) {
    EventSubscription sub;
    sub.id = scope + "/providers/Microsoft.EventGrid/eventSubscriptions/" + name;
    sub.name = name;
    sub.scope = AsciiLower(scope);
    sub.endpoint_url = "http://127.0.0.1:1/hook";
    sub.included_event_types = std::move(types);
    sub.state = state;
    sub.validation_deadline = clock_.Now() + kValidationWindow;
    sub.next_validation = clock_.Now();
    ResourceRecord record;
    record.key = EventSubscriptionKey(scope, name);
    record.id = sub.id;
    record.subscription = AsciiLower(kSub);
    record.type = std::string(kEventSubscriptionType);
    record.name = name;
    record.body = "{}";
    record.secrets = EncodeEventSubscription(sub);
    record.version = 1;
    ASSERT_OK(service_.access().Create(record, "EventSubscriptionAlreadyExists"));
  }

  EventSubscriptionState StateOf(const std::string& name) {
    auto record = store_->Get(EventSubscriptionKey(std::string("/subscriptions/") + kSub, name));
    EXPECT_OK(record);
    auto sub = EventSubscriptionOf(*record);
    EXPECT_TRUE(sub.has_value());
    return sub->state;
  }

  DispatchReport Dispatch() {
    auto report = dispatcher_.RunOnce();
    EXPECT_OK(report);
    return report.has_value() ? *report : DispatchReport{};
  }

  // The events still waiting in the outbox at `at`.
  std::vector<LifecycleEvent> Outbox(Timestamp at) {
    auto due = store_->ListEventsDue(at, 100);
    EXPECT_OK(due);
    return due.has_value() ? *due : std::vector<LifecycleEvent>{};
  }

  static Invocation Request(const std::string& id, const std::string& method,
                            const std::string& action) {
    Invocation invocation = Op(id, OperationKind::kDelete);
    invocation.http_method = method;
    invocation.action = action;
    invocation.correlation_id = "corr-" + id;
    invocation.caller = Principal("alice@contoso.example");
    return invocation;
  }

  ScriptedTransport transport_;
  EventDispatcher dispatcher_;
};

TEST_F(EventsTest, ASoftDeleteAnnouncesItselfAndSchedulesThePurgeWarningADayAhead) {
  Subscribe("all");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  // Cognitive Services keeps a deleted account 48 hours: the warning is due 24 hours
  // before the purge, that is 24 hours after the delete.
  const std::vector<LifecycleEvent> now = Outbox(clock_.Now());
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].event_type, "Reprieve.Lifecycle.ResourceSoftDeleted");
  EXPECT_EQ(now[0].subject, Account("acct").ToString());
  EXPECT_EQ(DataOf(now[0], "caller"), "t");
  EXPECT_EQ(ParseRfc3339(DataOf(now[0], "deletionDate")), clock_.Now());
  EXPECT_EQ(ParseRfc3339(DataOf(now[0], "scheduledPurgeDate")), clock_.Now() + hours(48));
  EXPECT_EQ(now[0].data_version, "1");

  const std::vector<LifecycleEvent> later = Outbox(clock_.Now() + hours(24));
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[1].event_type, "Reprieve.Lifecycle.PurgeScheduled");
  EXPECT_EQ(later[1].due, clock_.Now() + hours(24));
  EXPECT_EQ(later[1].time, later[1].due);
  EXPECT_EQ(ParseRfc3339(DataOf(later[1], "scheduledPurgeDate")), clock_.Now() + hours(48));
  EXPECT_EQ(Outbox(clock_.Now() + hours(24) - seconds(1)).size(), 1u);
}

TEST_F(EventsTest, ARecoverCancelsTheWarningAndAnnouncesTheRecovery) {
  Subscribe("all");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  clock_.Advance(hours(1));
  ASSERT_OK(Restore("acct"));
  std::vector<std::string> types;
  for (const LifecycleEvent& e : Outbox(clock_.Now() + hours(72))) types.push_back(e.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"Reprieve.Lifecycle.ResourceSoftDeleted",
                                             "Reprieve.Lifecycle.ResourceRecovered"}));
}

TEST_F(EventsTest, AUsersPurgeCancelsTheWarningAndSaysWhoPurged) {
  Subscribe("all");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  ASSERT_OK(service_.Purge(accounts(), Ref("acct"), Request("p1", "DELETE", "purge")));
  const std::vector<LifecycleEvent> all = Outbox(clock_.Now() + hours(72));
  std::vector<std::string> types;
  for (const LifecycleEvent& e : all) types.push_back(e.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"Reprieve.Lifecycle.ResourceSoftDeleted",
                                             "Reprieve.Lifecycle.ResourcePurged",
                                             "Microsoft.Resources.ResourceDeleteSuccess"}));
  EXPECT_EQ(DataOf(all[1], "reason"), "user");
  EXPECT_EQ(DataOf(all[1], "caller"), "alice@contoso.example");
}

TEST_F(EventsTest, AnArmMutationRaisesAzuresResourceEventWithTheActivityLogsIds) {
  Subscribe("all");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(
      Del(Account("acct"), Request("d1", "DELETE", "Microsoft.CognitiveServices/accounts/delete"))));
  std::optional<LifecycleEvent> event;
  for (const LifecycleEvent& e : Outbox(clock_.Now())) {
    if (e.event_type.rfind("Microsoft.Resources.", 0) == 0) event = e;
  }
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->event_type, "Microsoft.Resources.ResourceDeleteSuccess");
  EXPECT_EQ(event->subject, Account("acct").ToString());
  EXPECT_EQ(event->data_version, "2");
  EXPECT_EQ(DataOf(*event, "operationName"), "Microsoft.CognitiveServices/accounts/delete");
  EXPECT_EQ(DataOf(*event, "status"), "Succeeded");
  EXPECT_EQ(DataOf(*event, "correlationId"), "corr-d1");
  EXPECT_EQ(DataOf(*event, "resourceProvider"), "Microsoft.CognitiveServices");
  EXPECT_EQ(DataOf(*event, "httpRequest.method"), "DELETE");
}

TEST_F(EventsTest, AFailedOperationRaisesTheFailureEventWhenItEnds) {
  Subscribe("all");
  ASSERT_OK(Create("acct"));
  Invocation failing = Request("d1", "DELETE", "Microsoft.CognitiveServices/accounts/delete");
  failing.plan.duration = minutes(2);
  failing.plan.error_code = "InternalServerError";
  ASSERT_OK(service_.Delete(Del(Account("acct"), failing)));
  for (const LifecycleEvent& e : Outbox(clock_.Now())) {
    EXPECT_NE(e.event_type.rfind("Microsoft.Resources.", 0), 0u) << "nothing ended yet";
  }
  clock_.Advance(minutes(2));
  ASSERT_OK(service_.RunDueOperations(10));
  std::vector<std::string> types;
  for (const LifecycleEvent& e : Outbox(clock_.Now())) types.push_back(e.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"Microsoft.Resources.ResourceDeleteFailure"}));
}

TEST_F(EventsTest, ACreateSetToFailRaisesTheWriteFailureAndNothingElse) {
  Subscribe("all");
  Invocation failing = Request("c1", "PUT", "Microsoft.CognitiveServices/accounts/write");
  failing.plan.kind = OperationKind::kCreate;
  failing.plan.error_code = "InternalServerError";
  failing.plan.error_message = "it failed";
  ASSERT_OK(service_.Put({Account("acct"), "eastus", R"({"kind":"A"})", false, "", "tester",
                          failing, {}}));
  EXPECT_THAT(service_.Get(Account("acct")), testutil::StatusIs(StatusCode::kNotFound));
  std::vector<std::string> types;
  for (const LifecycleEvent& e : Outbox(clock_.Now())) types.push_back(e.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"Microsoft.Resources.ResourceWriteFailure"}));
}

TEST_F(EventsTest, WithoutAnEventSubscriptionOnlyThePurgeWarningIsKept) {
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  // Nothing listens now, so the events of now are not kept (Event Grid delivers only what
  // happens while a subscription exists); the warning, due later, is.
  EXPECT_TRUE(Outbox(clock_.Now()).empty());
  const std::vector<LifecycleEvent> later = Outbox(clock_.Now() + hours(24));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].event_type, "Reprieve.Lifecycle.PurgeScheduled");
  // Once one listens, the events of what happens next are kept.
  Subscribe("late");
  ASSERT_OK(Restore("acct"));
  std::vector<std::string> types;
  for (const LifecycleEvent& e : Outbox(clock_.Now() + hours(72))) types.push_back(e.event_type);
  EXPECT_EQ(types, (std::vector<std::string>{"Reprieve.Lifecycle.ResourceRecovered"}));
}

TEST_F(EventsTest, EachSubscriptionGetsWhatItsFiltersLetThrough) {
  Subscribe("all");
  Subscribe("lifecycle", {"Reprieve.Lifecycle.ResourceSoftDeleted"});
  Subscribe("other-group", {}, std::string("/subscriptions/") + kSub + "/resourceGroups/rg2");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  const DispatchReport report = Dispatch();
  EXPECT_EQ(report.fanned_out, 1);
  EXPECT_EQ(report.delivered, 2);
  ASSERT_EQ(transport_.batches.size(), 2u);
  EXPECT_EQ(transport_.batches[0].events[0].event_type, "Reprieve.Lifecycle.ResourceSoftDeleted");
  EXPECT_EQ(transport_.batches[0].events[0].id, transport_.batches[1].events[0].id);
  EXPECT_EQ(transport_.batches[0].delivery_count, 0);
}

TEST_F(EventsTest, AnExpiryPurgeIsWarnedADayAheadThenAnnounced) {
  Subscribe("hook");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  Dispatch();
  clock_.Advance(hours(24) - seconds(1));
  Dispatch();
  EXPECT_EQ(transport_.Types().size(), 1u);
  clock_.Advance(seconds(1));
  Dispatch();
  clock_.Advance(hours(24));
  PurgeSweeper sweeper(*store_, clock_, PolicyCatalog::Builtin(), {});
  ASSERT_OK(sweeper.RunOnce());
  Dispatch();
  EXPECT_EQ(transport_.Types(),
            (std::vector<std::string>{"Reprieve.Lifecycle.ResourceSoftDeleted",
                                      "Reprieve.Lifecycle.PurgeScheduled",
                                      "Reprieve.Lifecycle.ResourcePurged"}));
  const LifecycleEvent& purged = transport_.batches.back().events[0];
  EXPECT_EQ(DataOf(purged, "reason"), "retentionExpired");
  EXPECT_EQ(DataOf(purged, "caller"), "Reprieve");
}

TEST_F(EventsTest, AClockJumpPastThePurgeStillWarnsBeforeItAnnouncesThePurge) {
  Subscribe("hook");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  clock_.Advance(hours(72));
  PurgeSweeper sweeper(*store_, clock_, PolicyCatalog::Builtin(), {});
  ASSERT_OK(sweeper.RunOnce());
  Dispatch();
  EXPECT_EQ(transport_.Types(),
            (std::vector<std::string>{"Reprieve.Lifecycle.ResourceSoftDeleted",
                                      "Reprieve.Lifecycle.PurgeScheduled",
                                      "Reprieve.Lifecycle.ResourcePurged"}));
}

TEST_F(EventsTest, AFailingEndpointIsRetriedOnEventGridsScheduleAndGetsEveryEvent) {
  Subscribe("hook");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  transport_.answers = {503, 0, 500};
  EXPECT_EQ(Dispatch().retried, 1);
  // Event Grid waits 10 s, then 30 s, then 1 min.
  clock_.Advance(seconds(9));
  Dispatch();
  EXPECT_EQ(transport_.batches.size(), 1u);
  clock_.Advance(seconds(1));
  Dispatch();
  clock_.Advance(seconds(30));
  Dispatch();
  clock_.Advance(minutes(1));
  EXPECT_EQ(Dispatch().delivered, 1);
  ASSERT_EQ(transport_.batches.size(), 4u);
  EXPECT_EQ(transport_.batches[3].delivery_count, 3);
  for (const auto& batch : transport_.batches) {
    EXPECT_EQ(batch.events[0].id, transport_.batches[0].events[0].id);
  }
  ASSERT_OK_AND_ASSIGN(auto pending, store_->ListDeliveries(false, 10));
  EXPECT_TRUE(pending.empty());
}

TEST_F(EventsTest, ABatchNeverExceedsTheSubscriptionsMaxEventsPerBatch) {
  Subscribe("batched");
  {
    // maxEventsPerBatch 2 for this one.
    auto record = store_->Get(EventSubscriptionKey(std::string("/subscriptions/") + kSub, "batched"));
    ASSERT_OK(record);
    auto sub = EventSubscriptionOf(*record);
    sub->max_events_per_batch = 2;
    ResourceRecord updated = *record;
    updated.secrets = EncodeEventSubscription(*sub);
    updated.version += 1;
    ASSERT_OK(service_.access().Replace(updated, record->version));
  }
  for (const char* name : {"aa", "bb", "cc"}) {
    ASSERT_OK(Create(name));
    ASSERT_OK(service_.Delete(Del(Account(name))));
  }
  Dispatch();
  std::vector<size_t> sizes;
  for (const auto& batch : transport_.batches) sizes.push_back(batch.events.size());
  // 3 SoftDeleted events now (the warnings are due later): a batch of 2, then 1.
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 1}));
}

TEST_F(EventsTest, RefusedDeliveriesAreDeadLetteredAtOnceAndExhaustedOnesAfterTheBudget) {
  Subscribe("hook");
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  transport_.answers = {400};
  EXPECT_EQ(Dispatch().dead_lettered, 1);
  ASSERT_OK_AND_ASSIGN(auto dead, store_->ListDeliveries(true, 10));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].dead_letter_reason, "DeliveryRefused");
  EXPECT_EQ(dead[0].last_outcome, "400");
  clock_.Advance(hours(2));
  Dispatch();
  EXPECT_EQ(transport_.batches.size(), 1u);  // never tried again

  // 30 attempts by default; the 24-hour TTL ends them first on the hourly schedule.
  ASSERT_OK(Create("other"));
  ASSERT_OK(service_.Delete(Del(Account("other"))));
  transport_.answers = std::deque<int>(100, 503);
  for (int i = 0; i < 40; ++i) {
    Dispatch();
    clock_.Advance(hours(1));
  }
  ASSERT_OK_AND_ASSIGN(dead, store_->ListDeliveries(true, 10));
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[1].dead_letter_reason, "TimeToLiveExceeded");
  EXPECT_LE(dead[1].attempts, 30);
}

TEST_F(EventsTest, ASubscriptionIsActiveOnlyOnceItsEndpointPassesTheHandshake) {
  Subscribe("good", {}, std::string("/subscriptions/") + kSub, EventSubscriptionState::kCreating);
  Subscribe("silent", {}, std::string("/subscriptions/") + kSub, EventSubscriptionState::kCreating);
  transport_.answers = {200, 0};  // "good" answers; "silent" does not
  ASSERT_OK(Create("acct"));
  ASSERT_OK(service_.Delete(Del(Account("acct"))));
  Dispatch();
  EXPECT_EQ(StateOf("good"), EventSubscriptionState::kSucceeded);
  EXPECT_EQ(StateOf("silent"), EventSubscriptionState::kCreating);
  // Validation runs before the fan-out: the event already reaches "good".
  ASSERT_EQ(transport_.batches.size(), 1u);
  EXPECT_EQ(transport_.batches[0].subscription, "good");
  // Retried after 5 s, failed once the 30 s window is over.
  transport_.answers = {0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 7; ++i) {
    clock_.Advance(seconds(5));
    Dispatch();
  }
  EXPECT_EQ(StateOf("silent"), EventSubscriptionState::kFailed);
  EXPECT_EQ(transport_.validations.size(), 1u + 1u + 6u);  // good, silent, silent x6
}

TEST_F(EventsTest, AnAnswerWithoutTheCodeWaitsForManualValidation) {
  Subscribe("manual", {}, std::string("/subscriptions/") + kSub, EventSubscriptionState::kCreating);
  transport_.refuse_handshake = true;
  Dispatch();
  EXPECT_EQ(StateOf("manual"), EventSubscriptionState::kAwaitingManualAction);
  clock_.Advance(minutes(5));
  Dispatch();
  EXPECT_EQ(StateOf("manual"), EventSubscriptionState::kAwaitingManualAction);
  clock_.Advance(seconds(1));
  Dispatch();
  EXPECT_EQ(StateOf("manual"), EventSubscriptionState::kFailed);
}

TEST_F(EventsTest, DeletingAGroupDeletesTheEventSubscriptionsOnIt) {
  const std::string group_scope = std::string("/subscriptions/") + kSub + "/resourceGroups/" + kRg;
  Subscribe("on-group", {}, group_scope);
  Subscribe("on-subscription");
  ASSERT_OK(service_.DeleteResourceGroup(kSub, kRg, "tester", std::nullopt));
  EXPECT_THAT(store_->Get(EventSubscriptionKey(group_scope, "on-group")),
              testutil::StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(StateOf("on-subscription"), EventSubscriptionState::kSucceeded);
}

TEST(DeliveryBackoffTest, FollowsEventGridsSchedule) {
  // reference/operations-events.md §3.6: 10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, hourly.
  const Duration expected[] = {seconds(10), seconds(30), minutes(1), minutes(5),
                               minutes(10), minutes(30), hours(1),   hours(1)};
  for (int attempts = 1; attempts <= 8; ++attempts) {
    EXPECT_EQ(DeliveryBackoff(attempts), expected[attempts - 1]) << attempts;
  }
}

TEST(EventFilterTest, MatchesScopeTypesAndSubjectsAsEventGridDoes) {
  EventSubscription sub;
  sub.scope = "/subscriptions/s1/resourcegroups/rg1";
  LifecycleEvent event;
  event.event_type = "Microsoft.Resources.ResourceWriteSuccess";
  event.subject = "/subscriptions/S1/resourceGroups/RG1/providers/Microsoft.KeyVault/vaults/v1";
  EXPECT_TRUE(Matches(sub, event));
  event.subject = "/subscriptions/s1/resourceGroups/rg10/providers/Microsoft.KeyVault/vaults/v1";
  EXPECT_FALSE(Matches(sub, event)) << "rg10 is not under rg1";
  event.subject = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/v1";
  sub.included_event_types = {"microsoft.resources.resourcewritesuccess"};
  EXPECT_TRUE(Matches(sub, event));
  sub.included_event_types = {"Microsoft.Resources.ResourceDeleteSuccess"};
  EXPECT_FALSE(Matches(sub, event));
  sub.included_event_types.clear();
  sub.subject_begins_with = "/subscriptions/s1/resourcegroups/rg1/providers/microsoft.keyvault";
  sub.subject_ends_with = "/V1";
  EXPECT_TRUE(Matches(sub, event));
  sub.subject_case_sensitive = true;
  EXPECT_FALSE(Matches(sub, event));
}

}  // namespace
}  // namespace reprieve::core
