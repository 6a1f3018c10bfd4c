"""The service-principal walk with the unmodified az CLI (Debian's azure-cli 2.45) in
strict mode: the cloud registered with Reprieve's ADFS-style authority, `az login
--identity` as the bootstrap administrator, `az ad sp create-for-rbac` for two pipelines,
roles assigned with the Python authorization SDK and with `az rest` (Debian's az crashes in
its own role-assignment code before sending anything: Azure/azure-cli#24959), sign-in as
each principal with `az login --service-principal` and with the Python SDK's
ClientSecretCredential, and the Cognitive Services recovery commands meeting Azure's
authorization.

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_az
"""

import json
import unittest
import uuid

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient

from reprieved import SUBSCRIPTION, TENANT, AzCli, Reprieved

RG = "rg-az"
NAME = "acct-az"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


class AzTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Reprieved.start(["--auth", "strict"])
        cls.cli = AzCli(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.cli.cleanup()

    def az(self, profile, *args, ok=True):
        """Runs az with its own config directory per signed-in principal."""
        done = self.cli.run(profile, *args)
        if ok:
            self.assertEqual(done.returncode, 0, f"az {' '.join(args)}: {done.stderr}")
            return json.loads(done.stdout) if done.stdout.strip() else None
        self.assertNotEqual(done.returncode, 0, f"az {' '.join(args)} should fail: {done.stdout}")
        return done.stderr

    def sdk(self, client, credential):
        return client(credential, SUBSCRIPTION, base_url=self.server.url,
                      credential_scopes=[self.server.url + "/.default"],
                      connection_verify=self.server.ca, polling_interval=0.05)

    def assign_with_sdk(self, object_id, role_name):
        token = self.server.managed_identity_token(self.server.url + "/")

        class Admin:
            def get_token(self, *scopes, **kwargs):
                return AccessToken(token, 2**31 - 1)

        rbac = self.sdk(AuthorizationManagementClient, Admin())
        scope = f"/subscriptions/{SUBSCRIPTION}"
        [definition] = list(rbac.role_definitions.list(scope, filter=f"roleName eq '{role_name}'"))
        created = rbac.role_assignments.create(scope, str(uuid.uuid4()), RoleAssignmentCreateParameters(
            role_definition_id=definition.id, principal_id=object_id,
            principal_type="ServicePrincipal"))
        self.assertEqual(created.principal_id, object_id)

    def assign(self, object_id, role_id):
        scope = f"/subscriptions/{SUBSCRIPTION}"
        body = {"properties": {
            "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role_id}",
            "principalId": object_id, "principalType": "ServicePrincipal"}}
        self.az("admin", "rest", "--method", "put", "--url",
                f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
                "?api-version=2022-04-01", "--body", json.dumps(body))

    def sign_in(self, profile, sp):
        return self.az(profile, "login", "--service-principal", "-u", sp["appId"],
                       "-p", sp["password"], "--tenant", TENANT)

    def test_service_principal_walk(self):
        [account] = self.az("admin", "login", "--identity")
        self.assertEqual(account["id"], SUBSCRIPTION)

        reader = self.az("admin", "ad", "sp", "create-for-rbac", "--name", "az-reader")
        contributor = self.az("admin", "ad", "sp", "create-for-rbac", "--name", "az-contributor")
        stranger = self.az("admin", "ad", "sp", "create-for-rbac", "--name", "az-stranger")
        self.assertEqual(reader["tenant"], TENANT)
        listed = self.az("admin", "ad", "sp", "list", "--display-name", "az-reader")
        self.assertEqual([sp["appId"] for sp in listed], [reader["appId"]])
        reader_id = self.az("admin", "ad", "sp", "show", "--id", reader["appId"])["id"]
        contributor_id = self.az("admin", "ad", "sp", "show", "--id", contributor["appId"])["id"]
        self.assign_with_sdk(reader_id, "Reader")
        self.assign(contributor_id, CONTRIBUTOR)

        # Running create-for-rbac again patches the application and replaces its secret.
        again = self.az("admin", "ad", "sp", "create-for-rbac", "--name", "az-reader")
        self.assertEqual(again["appId"], reader["appId"])
        self.assertNotEqual(again["password"], reader["password"])
        self.az("reader", "login", "--service-principal", "-u", reader["appId"],
                "-p", reader["password"], "--tenant", TENANT, ok=False)
        reader = again

        self.az("admin", "group", "create", "-n", RG, "-l", "eastus")
        self.az("admin", "cognitiveservices", "account", "create", "-g", RG, "-n", NAME,
                "--kind", "TextAnalytics", "--sku", "S0", "-l", "eastus", "--yes")
        self.az("admin", "cognitiveservices", "account", "delete", "-g", RG, "-n", NAME)

        [subscription] = self.sign_in("reader", reader)
        self.assertEqual(subscription["id"], SUBSCRIPTION)
        deleted = self.az("reader", "cognitiveservices", "account", "list-deleted")
        self.assertEqual([a["name"] for a in deleted], [NAME])
        for verb in ("recover", "purge"):
            error = self.az("reader", "cognitiveservices", "account", verb, "-g", RG, "-n", NAME,
                            "-l", "eastus", ok=False)
            self.assertIn("AuthorizationFailed", error, verb)
            self.assertIn(reader_id, error, verb)

        # The same principal through the Python SDK's ClientSecretCredential.
        as_reader = self.sdk(CognitiveServicesManagementClient, ClientSecretCredential(
            TENANT, reader["appId"], reader["password"], authority=self.server.url,
            instance_discovery=False, connection_verify=self.server.ca))
        self.assertEqual([a.name for a in as_reader.deleted_accounts.list()], [NAME])
        with self.assertRaises(HttpResponseError) as denied:
            as_reader.deleted_accounts.begin_purge("eastus", RG, NAME).result()
        self.assertEqual(denied.exception.status_code, 403)

        self.sign_in("contributor", contributor)
        self.az("contributor", "cognitiveservices", "account", "recover", "-g", RG, "-n", NAME,
                "-l", "eastus")
        shown = self.az("contributor", "cognitiveservices", "account", "show", "-g", RG, "-n", NAME)
        self.assertEqual(shown["kind"], "TextAnalytics")
        self.az("contributor", "cognitiveservices", "account", "delete", "-g", RG, "-n", NAME)
        self.az("contributor", "cognitiveservices", "account", "purge", "-g", RG, "-n", NAME,
                "-l", "eastus")
        self.assertEqual(self.az("reader", "cognitiveservices", "account", "list-deleted"), [])

        # A principal without a role signs in but sees no subscription.
        error = self.az("stranger", "login", "--service-principal", "-u", stranger["appId"],
                        "-p", stranger["password"], "--tenant", TENANT, ok=False)
        self.assertIn("No subscriptions found", error)
        error = self.az("stranger", "login", "--service-principal", "-u", stranger["appId"],
                        "-p", "wrong-secret", "--tenant", TENANT, ok=False)
        self.assertIn("AADSTS7000215", error)

        self.az("admin", "ad", "sp", "delete", "--id", stranger["appId"])
        self.az("admin", "ad", "app", "delete", "--id", stranger["appId"])
        self.assertEqual(self.az("admin", "ad", "app", "list", "--display-name", "az-stranger"), [])


if __name__ == "__main__":
    unittest.main()
