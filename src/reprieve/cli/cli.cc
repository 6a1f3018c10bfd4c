#include "reprieve/cli/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reprieve/base/status_macros.h"
#include "reprieve/base/strings.h"
#include "reprieve/base/time.h"
#include "reprieve/cli/arm_client.h"
#include "reprieve/cli/output.h"

namespace reprieve::cli {
namespace json = boost::json;
namespace {

constexpr char kBinVersion[] = "2026-12-01";
constexpr char kSubscriptionsVersion[] = "2022-12-01";
constexpr char kMlVersion[] = "2025-12-01";
constexpr char kMlProvider[] = "/providers/Microsoft.MachineLearningServices";

// --type keys: the portal's ?type= values, each one of Azure's entry points.
struct TypeKey {
  const char* key;
  const char* type;
  const char* label;
};
constexpr TypeKey kTypes[] = {
    {"cognitive", "Microsoft.CognitiveServices/accounts", "Azure AI services account"},
    {"apim", "Microsoft.ApiManagement/service", "API Management service"},
    {"ml", "Microsoft.MachineLearningServices/workspaces", "Machine Learning workspace"},
    {"keyvault", "Microsoft.KeyVault/vaults", "Key vault"},
    {"storage", "Microsoft.Storage/storageAccounts", "Storage account"},
};

std::string Text(const json::object& object, std::string_view name) {
  const json::value* v = object.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string Label(const std::string& type) {
  for (const TypeKey& t : kTypes) {
    if (EqualsIgnoreCase(type, t.type)) return t.label;
  }
  return type;
}

Result<std::string> TypeFromKey(const std::string& key) {
  for (const TypeKey& t : kTypes) {
    if (EqualsIgnoreCase(key, t.key) || EqualsIgnoreCase(key, t.type)) return std::string(t.type);
  }
  if (key.find('/') != std::string::npos) return key;  // another type the server may hold
  std::string keys;
  for (const TypeKey& t : kTypes) keys += std::string(keys.empty() ? "" : ", ") + t.key;
  return InvalidArgumentError("--type " + key + ": expected one of " + keys +
                              " or a resource type such as Microsoft.KeyVault/vaults");
}

// The subscription in an ARM id ("/subscriptions/{s}/..."), "" if it names none.
std::string SubscriptionOf(const std::string& id) {
  const std::string lower = AsciiLower(id);
  if (lower.rfind("/subscriptions/", 0) != 0) return "";
  const size_t end = lower.find('/', 15);
  return id.substr(15, end == std::string::npos ? std::string::npos : end - 15);
}

struct Session {
  ServerOptions server;
  OutputFormat format = OutputFormat::kTable;
  std::string subscription;  // --subscription; "" every one (bin) or the first (ml)
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

class Commands {
 public:
  explicit Commands(Session session) : s_(std::move(session)), client_(s_.server) {}

  // ---- the recycle bin
  Status DeletedList(const std::string& group, const std::string& type) {
    std::string type_filter;
    if (!type.empty()) {
      REPRIEVE_ASSIGN_OR_RETURN(type_filter, TypeFromKey(type));
    }
    REPRIEVE_ASSIGN_OR_RETURN(const std::vector<std::string> subscriptions, Subscriptions(false));
    json::array entries;
    for (const std::string& subscription : subscriptions) {
      REPRIEVE_ASSIGN_OR_RETURN(json::array page, Bin(subscription, group, type_filter));
      for (json::value& entry : page) entries.push_back(std::move(entry));
    }
    Print(*s_.out, s_.format, entries, BinColumns());
    return OkStatus();
  }

  Status DeletedShow(const std::vector<std::string>& ids) {
    REPRIEVE_ASSIGN_OR_RETURN(const json::array entries, Resolve(ids));
    Print(*s_.out, s_.format, entries.size() == 1 ? entries[0] : json::value(entries), BinColumns());
    return OkStatus();
  }

  // Recovers or purges each entry through its own descriptor, one request at a time.
  // Recover goes in dependency order: key vaults, then storage accounts, then the rest.
  Status DeletedAct(const std::vector<std::string>& ids, bool recover) {
    REPRIEVE_ASSIGN_OR_RETURN(json::array entries, Resolve(ids));
    if (recover) {
      const auto rank = [](const json::value& e) {
        const std::string type = Text(e.as_object(), "resourceType");
        if (EqualsIgnoreCase(type, "Microsoft.KeyVault/vaults")) return 0;
        if (EqualsIgnoreCase(type, "Microsoft.Storage/storageAccounts")) return 1;
        return 2;
      };
      std::stable_sort(entries.begin(), entries.end(),
                       [&](const json::value& a, const json::value& b) { return rank(a) < rank(b); });
    }
    const char* doing = recover ? "Recovering" : "Purging";
    json::array results;
    int failed = 0;
    for (size_t idx = 0; idx < entries.size(); ++idx) {
      const json::object& entry = entries[idx].as_object();
      const std::string name = Text(entry, "name");
      *s_.err << "[" << idx + 1 << "/" << entries.size() << "] " << doing << " " << name << " ("
              << Label(Text(entry, "resourceType")) << ")..." << std::flush;
      Status outcome = Act(entry, recover ? "recover" : "purge");
      json::object result{{"id", entry.at("id")},
                          {"resourceId", entry.at("resourceId")},
                          {"name", name},
                          {"status", outcome.ok() ? (recover ? "Recovered" : "Purged") : "Failed"},
                          {"error", nullptr}};
      if (outcome.ok()) {
        *s_.err << " done\n";
      } else {
        ++failed;
        *s_.err << " failed\n";
        result["error"] = json::object{{"code", outcome.arm_code()}, {"message", outcome.message()}};
        *s_.err << ErrorText(outcome) << "\n";
        if (outcome.code() == StatusCode::kUnavailable) return outcome;
      }
      results.push_back(std::move(result));
    }
    Print(*s_.out, s_.format, results,
          {Field("Name", "name"), Field("Status", "status"), Field("Error", "error.code"),
           Field("Id", "resourceId")});
    if (failed == 0) return OkStatus();
    return FailedPreconditionError(std::to_string(entries.size() - failed) + " of " +
                                   std::to_string(entries.size()) + " " +
                                   (recover ? "recovered" : "purged") + ", " +
                                   std::to_string(failed) + " failed")
        .WithArmCode("PartialFailure");
  }

  // ---- the clock
  Status Clock(const std::optional<std::string>& advance, const std::optional<std::string>& set) {
    std::optional<json::value> body;
    if (advance) body = json::object{{"advance", *advance}};
    if (set) body = json::object{{"set", *set}};
    REPRIEVE_ASSIGN_OR_RETURN(const Reply reply,
                              client_.Send(body ? "POST" : "GET", "/reprieve/admin/clock", body));
    Print(*s_.out, s_.format, reply.body,
          {Field("Now", "now"), Field("Mode", "mode"), Field("Purged", "purged"),
           Field("OperationsFinished", "operationsFinished")});
    return OkStatus();
  }

  // ---- Machine Learning workspaces, as az ml spells them
  Status MlListDeleted(const std::string& group) {
    REPRIEVE_ASSIGN_OR_RETURN(const std::string subscription, MlSubscription());
    std::string path = "/subscriptions/" + subscription;
    if (!group.empty()) path += "/resourceGroups/" + UrlEncode(group);
    REPRIEVE_ASSIGN_OR_RETURN(const json::array items,
                              All(path + kMlProvider + "/deletedWorkspaces?api-version=" + kMlVersion));
    Print(*s_.out, s_.format, items, MlColumns());
    return OkStatus();
  }

  Status MlShowDeleted(const std::string& group, const std::string& name) {
    REPRIEVE_ASSIGN_OR_RETURN(const std::string path, MlPath(group, "deletedWorkspaces", name));
    REPRIEVE_ASSIGN_OR_RETURN(const Reply reply,
                              client_.Send("GET", path + "?api-version=" + kMlVersion));
    Print(*s_.out, s_.format, reply.body, MlColumns());
    return OkStatus();
  }

  Status MlRecover(const std::string& group, const std::string& name) {
    REPRIEVE_ASSIGN_OR_RETURN(const std::string path, MlPath(group, "deletedWorkspaces", name));
    *s_.err << "Recovering workspace " << name << "..." << std::flush;
    auto recovered = client_.Run("POST", path + "/recover?api-version=" + kMlVersion);
    *s_.err << (recovered.has_value() ? " done\n" : " failed\n");
    REPRIEVE_RETURN_IF_ERROR(recovered.status());
    Print(*s_.out, s_.format, *recovered,
          {Field("Name", "name"), Field("ResourceGroup", "id"),
           Field("ProvisioningState", "properties.provisioningState")});
    return OkStatus();
  }

  Status MlDelete(const std::string& group, const std::string& name, bool permanently) {
    REPRIEVE_ASSIGN_OR_RETURN(const std::string path, MlPath(group, "workspaces", name));
    *s_.err << (permanently ? "Permanently deleting" : "Deleting") << " workspace " << name
            << "..." << std::flush;
    auto deleted = client_.Run("DELETE", path + "?api-version=" + kMlVersion +
                                             (permanently ? "&forceToPurge=true" : ""));
    *s_.err << (deleted.has_value() ? " done\n" : " failed\n");
    return deleted.status();
  }

 private:
  static std::vector<Column> BinColumns() {
    return {Field("Name", "name"),
            {"Type", [](const json::object& e) { return Label(Text(e, "resourceType")); }},
            Field("ResourceGroup", "resourceGroup"),
            Field("Location", "location"),
            Field("Deleted", "deletionDate"),
            Field("ScheduledPurge", "scheduledPurgeDate"),
            {"TimeRemaining",
             [](const json::object& e) {
               const auto now = ParseRfc3339(Text(e, "now"));
               const auto until = ParseRfc3339(Text(e, "scheduledPurgeDate"));
               return now && until ? TimeRemaining(*now, *until) : std::string();
             }},
            {"Recoverable",
             [](const json::object& e) {
               const json::value* error = e.if_contains("recoverError");
               if (error == nullptr || !error->is_object()) return std::string("yes");
               return "no (" + Text(error->as_object(), "code") + ")";
             }},
            Field("Id", "resourceId")};
  }

  static std::vector<Column> MlColumns() {
    return {Field("Name", "name"), Field("Location", "location"), Field("Id", "id"),
            Field("DeletedDate", "properties.deletionDate"),
            Field("ScheduledPurgeDate", "properties.scheduledPurgeDate")};
  }

  // The subscriptions to look in: --subscription, or every one the caller sees.
  Result<std::vector<std::string>> Subscriptions(bool first_only) {
    if (!s_.subscription.empty()) return std::vector<std::string>{s_.subscription};
    REPRIEVE_ASSIGN_OR_RETURN(const json::array items,
                              All(std::string("/subscriptions?api-version=") + kSubscriptionsVersion));
    std::vector<std::string> ids;
    for (const json::value& item : items) {
      if (item.is_object()) ids.push_back(Text(item.as_object(), "subscriptionId"));
      if (first_only && !ids.empty()) break;
    }
    if (ids.empty()) {
      return FailedPreconditionError("the caller sees no subscription; pass --subscription")
          .WithArmCode("SubscriptionNotFound");
    }
    return ids;
  }

  Result<std::string> MlSubscription() {
    REPRIEVE_ASSIGN_OR_RETURN(const std::vector<std::string> ids, Subscriptions(true));
    return ids.front();
  }

  Result<std::string> MlPath(const std::string& group, const char* collection,
                             const std::string& name) {
    REPRIEVE_ASSIGN_OR_RETURN(const std::string subscription, MlSubscription());
    return "/subscriptions/" + subscription + "/resourceGroups/" + UrlEncode(group) + kMlProvider +
           "/" + collection + "/" + UrlEncode(name);
  }

  // Every item of a paged list, following nextLink.
  Result<json::array> All(std::string target) {
    json::array items;
    while (!target.empty()) {
      REPRIEVE_ASSIGN_OR_RETURN(Reply reply, client_.Send("GET", target));
      target.clear();
      if (!reply.body.is_object()) break;
      json::object& page = reply.body.as_object();
      const std::string now = Text(page, "now");
      if (json::value* value = page.if_contains("value"); value && value->is_array()) {
        for (json::value& item : value->as_array()) {
          // Each bin entry keeps the server's time, which its time remaining is counted from.
          if (!now.empty() && item.is_object()) item.as_object()["now"] = now;
          items.push_back(std::move(item));
        }
      }
      target = Text(page, "nextLink");
    }
    return items;
  }

  Result<json::array> Bin(const std::string& subscription, const std::string& group,
                          const std::string& type) {
    std::string path = "/subscriptions/" + UrlEncode(subscription);
    if (!group.empty()) path += "/resourceGroups/" + UrlEncode(group);
    path += std::string("/providers/Reprieve.Lifecycle/deletedResources?api-version=") + kBinVersion;
    if (!type.empty()) path += "&$filter=" + UrlEncode("resourceType eq '" + type + "'");
    return All(path);
  }

  // The bin entries `ids` name (each an original resource id or a deleted-record id).
  Result<json::array> Resolve(const std::vector<std::string>& ids) {
    std::map<std::string, json::array> bins;  // by lower-case subscription
    json::array found;
    for (const std::string& id : ids) {
      const std::string subscription = SubscriptionOf(id);
      if (subscription.empty()) {
        return InvalidArgumentError("'" + id + "' is not an ARM id (/subscriptions/...)");
      }
      auto bin = bins.find(AsciiLower(subscription));
      if (bin == bins.end()) {
        REPRIEVE_ASSIGN_OR_RETURN(json::array entries, Bin(subscription, "", ""));
        bin = bins.emplace(AsciiLower(subscription), std::move(entries)).first;
      }
      const auto match = std::find_if(bin->second.begin(), bin->second.end(), [&](const json::value& e) {
        return EqualsIgnoreCase(Text(e.as_object(), "id"), id) ||
               EqualsIgnoreCase(Text(e.as_object(), "resourceId"), id);
      });
      if (match == bin->second.end()) {
        return FailedPreconditionError("No soft-deleted resource '" + id +
                                       "' is in the recycle bin: it was never deleted, was "
                                       "recovered or purged, or its retention has ended.")
            .WithArmCode("DeletedResourceNotFound");
      }
      found.push_back(*match);
    }
    return found;
  }

  // Sends an entry's recover or purge descriptor and waits for it to finish.
  Status Act(const json::object& entry, const char* which) {
    const json::value* call = entry.if_contains(which);
    if (call == nullptr || !call->is_object()) {
      const json::value* why = entry.if_contains("purgeError");
      if (why != nullptr && why->is_object()) {
        return FailedPreconditionError(Text(why->as_object(), "message"))
            .WithArmCode(Text(why->as_object(), "code"));
      }
      return FailedPreconditionError(std::string("the resource has no ") + which + " call")
          .WithArmCode("NotSupported");
    }
    const json::object& c = call->as_object();
    std::optional<json::value> body;
    if (const json::value* b = c.if_contains("body"); b != nullptr && !b->is_null()) body = *b;
    return client_.Run(Text(c, "method"), Text(c, "url"), body).status();
  }

  Session s_;
  ArmClient client_;
};

int ExitCodeOf(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kUnavailable) return kExitUnreachable;
  if (status.code() == StatusCode::kInvalidArgument) return kExitUsage;
  return kExitRefused;
}

}  // namespace

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"reprieve: the recycle bin, the clock and the ML workspace commands of a "
               "Reprieve server"};
  app.require_subcommand(1);
  app.fallthrough();
  Session session;
  session.out = &out;
  session.err = &err;
  std::string output = "table";
  app.add_option("--server", session.server.server, "the server's URL")
      ->envname("REPRIEVE_SERVER")
      ->capture_default_str();
  app.add_option("--ca", session.server.ca, "PEM file of the server's CA")
      ->envname("REPRIEVE_CA")
      ->capture_default_str();
  app.add_option("--client-id", session.server.client_id, "sign in as this service principal")
      ->envname("REPRIEVE_CLIENT_ID");
  app.add_option("--client-secret", session.server.client_secret, "its client secret")
      ->envname("REPRIEVE_CLIENT_SECRET");
  app.add_option("--tenant", session.server.tenant, "its tenant")->envname("REPRIEVE_TENANT");
  app.add_option("--output,-o", output, "table, json or tsv")
      ->check(CLI::IsMember({"table", "json", "tsv"}))
      ->capture_default_str();
  app.add_option("--subscription", session.subscription,
                 "the subscription (default: every one for the bin, the first for ml)")
      ->envname("REPRIEVE_SUBSCRIPTION");

  std::function<Status(Commands&)> action;
  std::string group;
  std::string type;
  std::string name;
  std::vector<std::string> ids;
  std::string duration;
  std::string instant;
  bool permanently = false;

  CLI::App* deleted = app.add_subcommand("deleted", "soft-deleted resources of every type");
  deleted->require_subcommand(1);
  CLI::App* list = deleted->add_subcommand("list", "list them, soonest purge first");
  list->add_option("--resource-group,-g", group, "only this group's");
  list->add_option("--type", type, "cognitive, apim, ml, keyvault, storage or a resource type");
  list->callback([&] { action = [&](Commands& c) { return c.DeletedList(group, type); }; });
  for (const char* verb : {"show", "recover", "purge"}) {
    CLI::App* sub = deleted->add_subcommand(verb, std::string(verb) + " resources by original or deleted-record id");
    sub->add_option("ids", ids, "ARM ids")->required();
    const std::string v = verb;
    sub->callback([&, v] {
      action = [&, v](Commands& c) {
        return v == "show" ? c.DeletedShow(ids) : c.DeletedAct(ids, v == "recover");
      };
    });
  }

  CLI::App* clock = app.add_subcommand("clock", "the server's clock");
  clock->require_subcommand(1);
  clock->add_subcommand("show", "its time and mode")->callback([&] {
    action = [&](Commands& c) { return c.Clock(std::nullopt, std::nullopt); };
  });
  CLI::App* advance = clock->add_subcommand("advance", "move a manual clock forward");
  advance->add_option("duration", duration, "ISO-8601 duration, e.g. PT49H")->required();
  advance->callback([&] { action = [&](Commands& c) { return c.Clock(duration, std::nullopt); }; });
  CLI::App* set = clock->add_subcommand("set", "set a manual clock");
  set->add_option("time", instant, "RFC 3339 instant")->required();
  set->callback([&] { action = [&](Commands& c) { return c.Clock(std::nullopt, instant); }; });

  CLI::App* ml = app.add_subcommand("ml", "Machine Learning, as az ml spells it");
  ml->require_subcommand(1);
  CLI::App* workspace = ml->add_subcommand("workspace", "workspaces");
  workspace->require_subcommand(1);
  CLI::App* list_deleted = workspace->add_subcommand("list-deleted", "soft-deleted workspaces");
  list_deleted->add_option("--resource-group,-g", group, "only this group's");
  list_deleted->callback([&] { action = [&](Commands& c) { return c.MlListDeleted(group); }; });
  const auto named = [&](CLI::App* sub) {
    sub->add_option("--resource-group,-g", group, "the group")->required();
    sub->add_option("--name,-n", name, "the workspace")->required();
  };
  CLI::App* show_deleted = workspace->add_subcommand("show-deleted", "one soft-deleted workspace");
  named(show_deleted);
  show_deleted->callback([&] { action = [&](Commands& c) { return c.MlShowDeleted(group, name); }; });
  CLI::App* recover = workspace->add_subcommand("recover", "recover a soft-deleted workspace");
  named(recover);
  recover->callback([&] { action = [&](Commands& c) { return c.MlRecover(group, name); }; });
  CLI::App* remove = workspace->add_subcommand("delete", "delete a workspace");
  named(remove);
  remove->add_flag("--permanently-delete", permanently, "skip soft delete (forceToPurge)");
  remove->callback([&] { action = [&](Commands& c) { return c.MlDelete(group, name, permanently); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "reprieve: " << e.what() << "\n" << "Run 'reprieve --help' for usage.\n";
    return kExitUsage;
  }
  session.format = output == "json" ? OutputFormat::kJson
                   : output == "tsv" ? OutputFormat::kTsv
                                     : OutputFormat::kTable;
  Commands commands(std::move(session));
  const Status status = action(commands);
  if (!status.ok()) err << "reprieve: " << ErrorText(status) << "\n";
  return ExitCodeOf(status);
}

}  // namespace reprieve::cli
