"""Identity and RBAC in strict mode through the unmodified Python clients: azure-identity's
ClientSecretCredential (instance_discovery=False) signs in to Reprieve's token service,
azure-mgmt-authorization assigns and lists roles, and azure-mgmt-cognitiveservices meets
the decision: a Reader lists soft-deleted accounts but gets 403 on recover and purge, a
Contributor recovers and purges, and an expired token is refused once the clock passes it.

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_identity
"""

import unittest
import uuid

from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.authorization.models import RoleAssignmentCreateParameters
from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
from azure.mgmt.cognitiveservices.models import Account, AccountProperties, Sku
from azure.mgmt.resource import ResourceManagementClient

from reprieved import SUBSCRIPTION, TENANT, Reprieved

RG = "rg-identity-py"
NAME = "acct-identity-py"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


class StaticToken:
    """The managed identity's token, as the server's endpoint issued it."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, 2**31 - 1)


class IdentityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Reprieved.start(["--auth", "strict"])
        cls.url = cls.server.url
        cls.admin = StaticToken(cls.server.managed_identity_token(cls.url + "/"))
        cls.graph_token = cls.server.managed_identity_token(cls.url + "/graph/")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def common(self):
        return dict(base_url=self.url, credential_scopes=[self.url + "/.default"],
                    connection_verify=self.server.ca, polling_interval=0.05)

    def principal(self, name):
        graph = lambda method, path, body: self.server.raw(
            method, "/graph/v1.0" + path, body=body, token=self.graph_token)
        app = graph("POST", "/applications", {"displayName": name}).json()
        secret = graph("POST", f"/applications/{app['id']}/addPassword",
                       {"passwordCredential": {"displayName": "py"}}).json()["secretText"]
        sp = graph("POST", "/servicePrincipals", {"appId": app["appId"]}).json()
        credential = ClientSecretCredential(TENANT, app["appId"], secret, authority=self.url,
                                            instance_discovery=False,
                                            connection_verify=self.server.ca)
        return sp["id"], app["appId"], credential

    def test_reader_cannot_recover_or_purge_and_contributor_can(self):
        reader_id, _, reader = self.principal("py-reader")
        contributor_id, _, contributor = self.principal("py-contributor")
        rbac = AuthorizationManagementClient(self.admin, SUBSCRIPTION, **self.common())
        scope = f"/subscriptions/{SUBSCRIPTION}"
        for principal_id, role in ((reader_id, "Reader"), (contributor_id, "Contributor")):
            [definition] = list(rbac.role_definitions.list(scope, filter=f"roleName eq '{role}'"))
            rbac.role_assignments.create(scope, str(uuid.uuid4()), RoleAssignmentCreateParameters(
                role_definition_id=definition.id, principal_id=principal_id,
                principal_type="ServicePrincipal"))
        mine = list(rbac.role_assignments.list_for_subscription(filter=f"principalId eq '{reader_id}'"))
        self.assertEqual([a.role_definition_id.rsplit("/", 1)[1] for a in mine], [READER])

        ResourceManagementClient(self.admin, SUBSCRIPTION, **self.common()).resource_groups \
            .create_or_update(RG, {"location": "eastus"})
        owner = CognitiveServicesManagementClient(self.admin, SUBSCRIPTION, **self.common())
        owner.accounts.begin_create(RG, NAME, Account(
            kind="TextAnalytics", sku=Sku(name="S0"), location="eastus",
            properties=AccountProperties())).result()
        owner.accounts.begin_delete(RG, NAME).result()

        as_reader = CognitiveServicesManagementClient(reader, SUBSCRIPTION, **self.common())
        self.assertEqual([a.name for a in as_reader.deleted_accounts.list()], [NAME])
        recover = Account(location="eastus", properties=AccountProperties(restore=True))
        with self.assertRaises(HttpResponseError) as denied:
            as_reader.accounts.begin_create(RG, NAME, recover).result()
        self.assertEqual(denied.exception.status_code, 403)
        self.assertEqual(denied.exception.error.code, "AuthorizationFailed")
        with self.assertRaises(HttpResponseError) as denied:
            as_reader.deleted_accounts.begin_purge("eastus", RG, NAME).result()
        self.assertEqual(denied.exception.status_code, 403)

        as_contributor = CognitiveServicesManagementClient(contributor, SUBSCRIPTION,
                                                           **self.common())
        recovered = as_contributor.accounts.begin_create(RG, NAME, recover).result()
        self.assertEqual(recovered.kind, "TextAnalytics")
        as_contributor.accounts.begin_delete(RG, NAME).result()
        as_contributor.deleted_accounts.begin_purge("eastus", RG, NAME).result()
        self.assertEqual(list(as_reader.deleted_accounts.list()), [])

    def test_a_wrong_secret_fails_sign_in(self):
        _, app_id, _ = self.principal("py-wrong-secret")
        wrong = ClientSecretCredential(TENANT, app_id, "not-it", authority=self.url,
                                       instance_discovery=False, connection_verify=self.server.ca)
        with self.assertRaises(ClientAuthenticationError) as failed:
            wrong.get_token(self.url + "/.default")
        self.assertIn("AADSTS7000215", str(failed.exception))


if __name__ == "__main__":
    unittest.main()
