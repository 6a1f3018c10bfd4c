"""Cognitive Services soft-delete lifecycle, driven by the Debian python3-azure
SDK (azure-mgmt-resource, azure-mgmt-cognitiveservices) against a private
reprieved started with a manual clock.

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_cognitive

Only Debian's /usr/bin/python3 can import the python3-azure packages.
"""

import datetime
import time
import unittest

import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.cognitiveservices.models import Account, AccountProperties, Sku
from azure.mgmt.resource import ResourceManagementClient

from reprieved import Reprieved

RG = "rg-e2e-py"
NAME = "acct-e2e-py"
LOCATION = "eastus"
RETENTION = datetime.timedelta(hours=48)


class FakeCredential:
    """TokenCredential stand-in; the server accepts any bearer token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)


class CognitiveSoftDeleteTest(unittest.TestCase):
    proc = None
    data_dir = None

    @classmethod
    def setUpClass(cls):
        cls.server = Reprieved.start()
        try:
            cls.url = cls.server.url
            cls.ca = cls.server.ca
            res = cls.server.raw("GET", "/subscriptions?api-version=2022-12-01")
            if res.status_code != 200:
                raise RuntimeError(f"GET /subscriptions answered {res.status_code}: {res.text}")
            cls.subscription_id = res.json()["value"][0]["subscriptionId"]

            common = dict(
                base_url=cls.url,
                credential_scopes=[cls.url + "/.default"],
                connection_verify=cls.ca,
                polling_interval=0.1,
            )
            cred = FakeCredential()
            cls.resources = ResourceManagementClient(cred, cls.subscription_id, **common)
            cls.cognitive = CognitiveServicesManagementClient(cred, cls.subscription_id, **common)
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    # ------------------------------------------------------------ helpers

    def list_deleted(self):
        return [a for a in self.cognitive.deleted_accounts.list()
                if a.name == NAME and f"/resourcegroups/{RG}/" in (a.id or "").lower()]

    def create_account(self, what):
        body = Account(kind="TextAnalytics", sku=Sku(name="S0"), location=LOCATION,
                       tags={"purpose": "e2e"}, properties=AccountProperties())
        created = self.cognitive.accounts.begin_create(RG, NAME, body).result()
        self.assert_shape(created, what)
        return created

    def assert_shape(self, account, what):
        self.assertEqual(account.name, NAME, f"{what}: name")
        self.assertEqual(account.kind, "TextAnalytics", f"{what}: kind")
        self.assertEqual(account.sku.name if account.sku else None, "S0", f"{what}: sku.name")

    def delete_account(self, what):
        self.cognitive.accounts.begin_delete(RG, NAME).result()
        with self.assertRaises(ResourceNotFoundError, msg=f"{what}: accounts.get after delete"):
            self.cognitive.accounts.get(RG, NAME)

    # -------------------------------------------------------------- test

    def test_create_delete_recover_purge_autopurge(self):
        # a. resource group
        rg = self.resources.resource_groups.create_or_update(RG, {"location": LOCATION})
        self.assertEqual(rg.name, RG)
        self.assertEqual(rg.location, LOCATION)

        # b. create, get
        created = self.create_account("begin_create result")
        self.assertEqual(created.location, LOCATION)
        self.assertEqual(created.properties.provisioning_state, "Succeeded")
        self.assertEqual(
            (created.id or "").lower(),
            f"/subscriptions/{self.subscription_id}/resourceGroups/{RG}"
            f"/providers/Microsoft.CognitiveServices/accounts/{NAME}".lower())
        self.assert_shape(self.cognitive.accounts.get(RG, NAME), "accounts.get")

        # c. soft delete
        self.delete_account("first delete")
        deleted = self.list_deleted()
        self.assertEqual(len(deleted), 1, f"deleted_accounts.list entries for {NAME}: {deleted}")
        props = deleted[0].properties
        self.assertIsNotNone(props, "deleted account properties")
        self.assertIsInstance(props.deletion_date, str, "properties.deletion_date")
        self.assertIsInstance(props.scheduled_purge_date, str, "properties.scheduled_purge_date")
        deletion = _parse_time(props.deletion_date)
        purge = _parse_time(props.scheduled_purge_date)
        self.assertEqual(purge - deletion, RETENTION,
                         f"scheduled_purge_date - deletion_date ({props.deletion_date} -> "
                         f"{props.scheduled_purge_date})")
        self.assertTrue(
            (deleted[0].id or "").lower().endswith(
                f"/providers/Microsoft.CognitiveServices/locations/{LOCATION}"
                f"/resourceGroups/{RG}/deletedAccounts/{NAME}".lower()),
            f"deleted account id: {deleted[0].id}")
        got_deleted = self.cognitive.deleted_accounts.get(LOCATION, RG, NAME)
        self.assertEqual(got_deleted.name, NAME, "deleted_accounts.get name")

        # d. same-name create without restore is refused
        with self.assertRaises(HttpResponseError) as ctx:
            self.create_account("create over soft-deleted name")
        err = ctx.exception
        self.assertIsInstance(err, ResourceExistsError, f"expected ResourceExistsError, got {err!r}")
        self.assertEqual(err.status_code, 409, f"status of create over soft-deleted name: {err}")
        self.assertEqual(err.error.code if err.error else None, "FlagMustBeSetForRestore",
                         f"error code: {err}")

        # e. recover with properties.restore = true (minimal body, like az)
        recovered = self.cognitive.accounts.begin_create(
            RG, NAME, Account(location=LOCATION, properties=AccountProperties(restore=True))
        ).result()
        self.assert_shape(recovered, "recovered account")
        self.assert_shape(self.cognitive.accounts.get(RG, NAME), "accounts.get after recover")
        self.assertEqual(self.list_deleted(), [], "deleted list after recover")

        # f. delete again and purge explicitly
        self.delete_account("second delete")
        self.cognitive.deleted_accounts.begin_purge(LOCATION, RG, NAME).result()
        with self.assertRaises(ResourceNotFoundError, msg="deleted_accounts.get after purge"):
            self.cognitive.deleted_accounts.get(LOCATION, RG, NAME)
        self.assertEqual(self.list_deleted(), [], "deleted list after purge")

        # g. create, delete, let the clock pass the scheduled purge date
        self.create_account("create after purge")
        self.delete_account("third delete")
        self.assertEqual(len(self.list_deleted()), 1, "deleted list after third delete")
        res = requests.post(self.url + "/reprieve/admin/clock", json={"advance": "PT49H"},
                            headers={"Authorization": "Bearer x"}, verify=self.ca, timeout=30)
        self.assertEqual(res.status_code, 200, f"advance clock: {res.text}")
        self.assertEqual(self.list_deleted(), [], "deleted list after PT49H")
        with self.assertRaises(ResourceNotFoundError, msg="deleted_accounts.get after auto-purge"):
            self.cognitive.deleted_accounts.get(LOCATION, RG, NAME)


def _parse_time(text):
    # RFC 3339; fromisoformat in Python 3.11 accepts "Z" and fractional seconds.
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


if __name__ == "__main__":
    unittest.main()
