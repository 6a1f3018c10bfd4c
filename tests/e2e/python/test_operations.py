"""Long-running operations that really run (--operation-duration), against Debian's
python3-azure pollers (azure-core's LROPoller with ARMPolling) and the unmodified az CLI's
--no-wait. The server runs a manual clock: an operation ends when the test moves the
clock past its end, so "still running" is checked after the poller has polled for real.

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_operations
"""

import time
import threading
import unittest

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.mgmt.apimanagement import ApiManagementClient
from azure.mgmt.apimanagement.models import (
    ApiManagementServiceResource,
    ApiManagementServiceSkuProperties,
)
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.cognitiveservices.models import Account, AccountProperties, Sku
from azure.mgmt.resource import ResourceManagementClient

from reprieved import SUBSCRIPTION, AzServerTest, Reprieved

RG = "rg-ops-py"
LOCATION = "eastus"
# How long the test lets a poller poll before it checks that it is still running: more
# than one Retry-After (1 s), so that it has polled after its first answer.
POLLED_FOR_S = 1.5


class FakeCredential:
    """TokenCredential stand-in; dev mode accepts any bearer token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)


class OperationsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Reprieved.start(
            ["--operation-duration", "recover=PT2M,purge=PT30S,delete=PT10S,create=PT1M"])
        common = dict(base_url=cls.server.url, credential_scopes=[cls.server.url + "/.default"],
                      connection_verify=cls.server.ca, polling_interval=1)
        cls.resources = ResourceManagementClient(FakeCredential(), SUBSCRIPTION, **common)
        cls.cognitive = CognitiveServicesManagementClient(FakeCredential(), SUBSCRIPTION, **common)
        cls.apim = ApiManagementClient(FakeCredential(), SUBSCRIPTION, **common)
        cls.resources.resource_groups.create_or_update(RG, {"location": LOCATION})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def advance(self, duration):
        res = self.server.raw("POST", "/reprieve/admin/clock", {"advance": duration})
        self.assertEqual(res.status_code, 200, res.text)

    def runs_until_the_clock_moves(self, poller, duration, what):
        time.sleep(POLLED_FOR_S)
        self.assertFalse(poller.done(), f"{what}: finished before the clock moved")
        self.assertEqual(poller.status().lower(), "inprogress", what)
        self.advance(duration)
        return poller.result(timeout=30)

    def account(self, restore=False):
        return Account(location=LOCATION, kind="TextAnalytics", sku=Sku(name="S0"),
                       properties=AccountProperties(restore=restore or None))

    def test_cognitive_services_pollers(self):
        name = "acct-ops-py"
        created = self.runs_until_the_clock_moves(
            self.cognitive.accounts.begin_create(RG, name, self.account()), "PT1M", "create")
        self.assertEqual(created.properties.provisioning_state, "Succeeded")

        deleting = self.cognitive.accounts.begin_delete(RG, name)
        shown = self.cognitive.accounts.get(RG, name)
        self.assertEqual(shown.properties.provisioning_state, "Deleting")
        with self.assertRaises(HttpResponseError) as conflict:
            self.cognitive.deleted_accounts.begin_purge(LOCATION, RG, name).result(timeout=30)
        self.assertEqual(conflict.exception.status_code, 409)
        self.runs_until_the_clock_moves(deleting, "PT10S", "delete")
        self.assertIn(name, [a.name for a in self.cognitive.deleted_accounts.list()])

        # A poller resumed from its continuation token (an SDK poller's saved state).
        recovering = self.cognitive.accounts.begin_create(RG, name, self.account(restore=True))
        token = recovering.continuation_token()
        resumed = self.cognitive.accounts.begin_create(RG, name, self.account(restore=True),
                                                       continuation_token=token)
        recovered = self.runs_until_the_clock_moves(resumed, "PT2M", "resumed recover")
        self.assertEqual(recovered.properties.provisioning_state, "Succeeded")
        recovering.result(timeout=30)

        self.runs_until_the_clock_moves(self.cognitive.accounts.begin_delete(RG, name), "PT10S",
                                        "second delete")
        self.runs_until_the_clock_moves(
            self.cognitive.deleted_accounts.begin_purge(LOCATION, RG, name), "PT30S", "purge")
        self.assertNotIn(name, [a.name for a in self.cognitive.deleted_accounts.list()])

    def test_a_failing_operation_raises_the_sdk_error_with_its_code(self):
        name = "acct-fail-py"
        self.advance_through(self.cognitive.accounts.begin_create(RG, name, self.account()), "PT1M")
        self.advance_through(self.cognitive.accounts.begin_delete(RG, name), "PT10S")
        res = self.server.raw("POST", "/reprieve/admin/operations/failNext",
                              {"kind": "purge", "code": "InsufficientQuota",
                               "message": "quota exceeded"})
        self.assertEqual(res.status_code, 200, res.text)
        poller = self.cognitive.deleted_accounts.begin_purge(LOCATION, RG, name)
        self.advance("PT30S")
        with self.assertRaises(HttpResponseError) as failed:
            poller.result(timeout=30)
        self.assertIn("(InsufficientQuota) quota exceeded", str(failed.exception))
        self.assertIn(name, [a.name for a in self.cognitive.deleted_accounts.list()])

    def advance_through(self, poller, duration):
        self.advance(duration)
        return poller.result(timeout=30)

    def test_api_management_purge_gets_its_location_after_the_status(self):
        # begin_purge has final-state-via location: after Azure-AsyncOperation succeeds,
        # the poller GETs Location, which must answer 200.
        name = "apim-ops-py"
        body = ApiManagementServiceResource(
            location=LOCATION, publisher_email="a@b.c", publisher_name="P",
            sku=ApiManagementServiceSkuProperties(name="Developer", capacity=1))
        self.advance_through(self.apim.api_management_service.begin_create_or_update(RG, name, body),
                             "PT1M")
        self.advance_through(self.apim.api_management_service.begin_delete(RG, name), "PT10S")
        self.runs_until_the_clock_moves(self.apim.deleted_services.begin_purge(name, LOCATION),
                                        "PT30S", "APIM purge")
        self.assertEqual(list(self.apim.deleted_services.list_by_subscription()), [])


class AzNoWaitTest(AzServerTest):
    """`az keyvault ... --no-wait`, then the state read back with `az keyvault show` and
    `list-deleted` while the operation runs and after the clock has moved."""

    SERVER_ARGS = ["--operation-duration", "PT2M"]

    def advance(self, duration):
        res = self.server.raw("POST", "/reprieve/admin/clock", {"advance": duration})
        self.assertEqual(res.status_code, 200, res.text)

    def state(self, name):
        """The vault's provisioningState, as `az keyvault show` reads it."""
        return self.az("keyvault", "show", "-g", RG, "-n", name)["properties"]["provisioningState"]

    def test_keyvault_recover_and_purge_with_no_wait(self):
        name = "kv-nowait"
        self.az("login", "--identity")
        self.az("group", "create", "-n", RG, "-l", LOCATION)
        self.az("keyvault", "create", "-g", RG, "-n", name, "-l", LOCATION,
                "--no-self-perms", "--no-wait")
        self.assertEqual(self.state(name), "RegisteringDns")
        # `az keyvault wait --created` polls until the create has ended: only the clock ends it.
        waited = {}
        waiter = threading.Thread(target=lambda: waited.update(done=self.cli.run(
            "admin", "keyvault", "wait", "-g", RG, "-n", name, "--created", "--interval", "1",
            "--timeout", "60")))
        waiter.start()
        waiter.join(timeout=3)
        self.assertTrue(waiter.is_alive(), "az keyvault wait returned before the create ended")
        self.advance("PT2M")
        waiter.join(timeout=30)
        self.assertFalse(waiter.is_alive(), "az keyvault wait did not see the create end")
        self.assertEqual(waited["done"].returncode, 0, waited["done"].stderr)
        self.assertEqual(self.state(name), "Succeeded")
        self.az("keyvault", "delete", "-g", RG, "-n", name)
        self.az("keyvault", "recover", "-n", name, "--no-wait")
        self.assertEqual(self.state(name), "RegisteringDns")
        self.advance("PT2M")
        self.assertEqual(self.state(name), "Succeeded")
        self.az("keyvault", "delete", "-g", RG, "-n", name)
        self.az("keyvault", "purge", "-n", name, "--no-wait")
        self.assertEqual([v["name"] for v in self.az("keyvault", "list-deleted")], [name])
        self.advance("PT2M")
        self.assertEqual(self.az("keyvault", "list-deleted"), [])


if __name__ == "__main__":
    unittest.main()
