"""Lifecycle events through unmodified Python clients: azure-mgmt-eventgrid (2022-06-15,
whose begin_create_or_update accepts only 201) creates the event subscriptions, Debian's az
2.45 makes the changes, and a webhook receiver on loopback answers the validation handshake
and reads events with azure-eventgrid's EventGridEvent.from_json. (Debian's az cannot run
`az eventgrid` at all: its module imports a model, ResourceSku, that Debian's
azure-mgmt-eventgrid does not have.)

    REPRIEVED_BIN=/path/to/reprieved /usr/bin/python3 -m unittest -v test_events
"""

import http.server
import json
import threading
import time
import unittest

from azure.core.credentials import AccessToken
from azure.eventgrid import EventGridEvent, SystemEventNames
from azure.mgmt.eventgrid import EventGridManagementClient
from azure.mgmt.eventgrid.models import (EventSubscription, EventSubscriptionFilter,
                                         WebHookEventSubscriptionDestination)

from reprieved import SUBSCRIPTION, AzServerTest

RG = "rg-events"
MI_APP = "0000a000-0000-4000-8000-000000000002"  # the managed identity's application id


class FakeCredential:
    """TokenCredential stand-in; dev mode accepts any bearer token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("fake-token", int(time.time()) + 3600)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that validates and keeps what it is sent."""

    def __init__(self):
        self.events = []
        self.validations = 0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                batch = json.loads(body)
                if self.headers.get("aeg-event-type") == "SubscriptionValidation":
                    receiver.validations += 1
                    code = batch[0]["data"]["validationCode"]
                    answer = json.dumps({"validationResponse": code}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                receiver.events.extend(EventGridEvent.from_json(json.dumps(e)) for e in batch)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, count, what):
        deadline = time.monotonic() + 10
        while len(self.events) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: {len(self.events)} of {count} events arrived")
            time.sleep(0.1)


class EventSubscriptionsTest(AzServerTest):
    SERVER_ARGS = ["--clock", "system"]

    def setUp(self):
        self.receiver = Receiver()
        self.addCleanup(self.receiver.stop)

    def client(self):
        return EventGridManagementClient(FakeCredential(), SUBSCRIPTION,
                                         base_url=self.server.url,
                                         credential_scopes=[self.server.url + "/.default"],
                                         connection_verify=self.server.ca,
                                         polling_interval=0.1)

    def test_a_group_subscription_gets_the_lifecycle_of_what_az_deletes(self):
        self.az("login", "--identity")
        self.az("group", "create", "-n", RG, "-l", "eastus")
        scope = f"/subscriptions/{SUBSCRIPTION}/resourceGroups/{RG}"
        client = self.client()
        created = client.event_subscriptions.begin_create_or_update(
            scope, "es-group",
            EventSubscription(destination=WebHookEventSubscriptionDestination(
                endpoint_url=self.receiver.url),
                filter=EventSubscriptionFilter(included_event_types=[
                    "Reprieve.Lifecycle.ResourceSoftDeleted",
                    SystemEventNames.ResourceDeleteSuccessEventName]))).result()
        self.assertEqual(created.provisioning_state, "Succeeded")
        self.assertEqual(self.receiver.validations, 1)
        self.assertEqual(created.topic.lower(), scope.lower())

        self.az("cognitiveservices", "account", "create", "-g", RG, "-n", "acct-events",
                "-l", "eastus", "--kind", "TextAnalytics", "--sku", "S0", "--yes")
        self.az("cognitiveservices", "account", "delete", "-g", RG, "-n", "acct-events")
        self.receiver.wait_for(2, "the soft delete and Azure's delete event")
        by_type = {e.event_type: e for e in self.receiver.events}
        soft = by_type["Reprieve.Lifecycle.ResourceSoftDeleted"]
        self.assertEqual(soft.data["caller"], MI_APP)
        self.assertTrue(soft.subject.lower().endswith("/accounts/acct-events"))
        self.assertEqual(soft.topic, f"/subscriptions/{SUBSCRIPTION}")
        arm = by_type[SystemEventNames.ResourceDeleteSuccessEventName]
        self.assertEqual(arm.data_version, "2")
        self.assertEqual(arm.data["operationName"], "Microsoft.CognitiveServices/accounts/delete")
        self.assertEqual(arm.data["claims"]["name"], MI_APP)

        listed = client.event_subscriptions.list_global_by_resource_group(RG)
        self.assertEqual([s.name for s in listed], ["es-group"])
        client.event_subscriptions.begin_delete(scope, "es-group").result()
        self.assertEqual(list(client.event_subscriptions.list_global_by_resource_group(RG)), [])

    def test_the_python_sdk_poller_waits_for_the_handshake(self):
        client = self.client()
        scope = f"/subscriptions/{SUBSCRIPTION}"
        subscription = client.event_subscriptions.begin_create_or_update(
            scope, "es-python",
            EventSubscription(destination=WebHookEventSubscriptionDestination(
                endpoint_url=self.receiver.url + "?code=secret"),
                filter=EventSubscriptionFilter(
                    included_event_types=["Reprieve.Lifecycle.ResourcePurged"]))).result()
        self.assertEqual(subscription.provisioning_state, "Succeeded")
        self.assertEqual(subscription.destination.endpoint_base_url, self.receiver.url)
        self.assertEqual(subscription.filter.included_event_types,
                         ["Reprieve.Lifecycle.ResourcePurged"])
        full = client.event_subscriptions.get_full_url(scope, "es-python")
        self.assertEqual(full.endpoint_url, self.receiver.url + "?code=secret")
        client.event_subscriptions.begin_delete(scope, "es-python").result()
        names = [s.name for s in client.event_subscriptions.list_global_by_subscription()]
        self.assertNotIn("es-python", names)


if __name__ == "__main__":
    unittest.main()
