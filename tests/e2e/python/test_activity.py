"""The activity log through unmodified clients: `az monitor activity-log list` (Debian's
az 2.45, api-version 2015-04-01, its own $filter with unquoted timestamps) and
azure-mgmt-monitor's activity_logs.list with its paging.

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_activity
"""

import datetime
import time
import unittest

from azure.core.credentials import AccessToken
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.resource import ResourceManagementClient

from reprieved import SUBSCRIPTION, AzServerTest

RG = "rg-activity"
NAME = "acct-activity"
ACCOUNTS = "Microsoft.CognitiveServices/accounts"


class FakeCredential:
    """TokenCredential stand-in; dev mode accepts any bearer token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)


class ActivityLogTest(AzServerTest):
    SERVER_ARGS = ["--clock", "system"]

    def test_az_lists_the_lifecycle_of_a_resource_with_its_caller(self):
        account = self.az("login", "--identity")[0]
        # Azure logs a service principal by its application id; the managed identity's is
        # documented in the README.
        caller = "0000a000-0000-4000-8000-000000000002"
        self.assertEqual(account["user"]["type"], "servicePrincipal")
        self.az("group", "create", "-n", RG, "-l", "eastus")
        self.az("cognitiveservices", "account", "create", "-g", RG, "-n", NAME, "-l", "eastus",
                "--kind", "TextAnalytics", "--sku", "S0", "--yes")
        self.az("cognitiveservices", "account", "delete", "-g", RG, "-n", NAME)
        self.az("cognitiveservices", "account", "recover", "-g", RG, "-n", NAME, "-l", "eastus")
        self.az("cognitiveservices", "account", "delete", "-g", RG, "-n", NAME)
        self.az("cognitiveservices", "account", "purge", "-g", RG, "-n", NAME, "-l", "eastus")

        events = self.az("monitor", "activity-log", "list", "--resource-group", RG)
        done = [(e["operationName"]["value"], e["caller"]) for e in events
                if e["status"]["value"] == "Succeeded"]
        # Newest first: purge, delete, recover (a write), delete, create, the group.
        self.maxDiff = None
        self.assertEqual(done, [
            ("Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete", caller),
            (f"{ACCOUNTS}/delete", caller),
            (f"{ACCOUNTS}/write", caller),
            (f"{ACCOUNTS}/delete", caller),
            (f"{ACCOUNTS}/write", caller),
            ("Microsoft.Resources/subscriptions/resourceGroups/write", caller),
        ])
        started = [e for e in events if e["status"]["value"] == "Started"]
        self.assertEqual(len(started), 6, "each mutation has its Started event")
        for event in events:
            self.assertEqual(event["category"]["value"], "Administrative")
            self.assertEqual(event["resourceGroupName"].lower(), RG)
            for value in event["properties"].values():
                self.assertIsInstance(value, str)

        # The clauses az adds, and its spaced $select.
        mine = self.az("monitor", "activity-log", "list", "--resource-group", RG, "--caller",
                       caller, "--status", "Started", "--select", "caller", "operationName",
                       "status")
        self.assertEqual(len(mine), 6)
        # az prints every EventData member; those the server left out are null.
        self.assertEqual({k for k, v in mine[0].items() if v is not None},
                         {"caller", "operationName", "status"})
        account_id = (f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}/providers/"
                      f"{ACCOUNTS}/{NAME}")
        by_id = self.az("monitor", "activity-log", "list", "--resource-id", account_id)
        self.assertEqual(len(by_id), 8, "create, delete, recover and delete, two events each")
        self.assertEqual(self.az("monitor", "activity-log", "list", "--resource-group", RG,
                                 "--status", "Failed"), [])

    def test_the_sdk_pages_through_a_long_log(self):
        common = dict(base_url=self.server.url, credential_scopes=[self.server.url + "/.default"],
                      connection_verify=self.server.ca)
        resources = ResourceManagementClient(FakeCredential(), SUBSCRIPTION, **common)
        monitor = MonitorManagementClient(FakeCredential(), SUBSCRIPTION, **common)
        start = datetime.datetime.utcnow() - datetime.timedelta(minutes=5)
        for i in range(60):
            resources.resource_groups.create_or_update(f"rg-page-{i}", {"location": "eastus"})
        end = datetime.datetime.utcnow() + datetime.timedelta(minutes=5)
        window = (f"eventTimestamp ge '{start.isoformat()}Z' and "
                  f"eventTimestamp le '{end.isoformat()}Z'")
        events = list(monitor.activity_logs.list(filter=window))
        ids = [e.event_data_id for e in events]
        self.assertEqual(len(ids), len(set(ids)), "no event twice across pages")
        groups = {e.resource_group_name for e in events if e.resource_group_name.startswith("rg-page-")}
        self.assertEqual(len(groups), 60)
        times = [e.event_timestamp for e in events]
        self.assertEqual(times, sorted(times, reverse=True), "newest first")
        self.assertGreaterEqual(len(events), 120, "more than one page of 100")


if __name__ == "__main__":
    unittest.main()
