"""The Azure SDK clients, pointed at a running `snaplab serve`.

scripts/sdk-tests.sh starts the server (``--port 0 --clock manual``) and
passes its ARM endpoint in SNAPLAB_ARM_ENDPOINT.

Sign-in: the SDKs take any ``TokenCredential``; a fake one stands in for
azure-identity (the server checks no token). Plain http: the SDKs'
``BearerTokenCredentialPolicy`` refuses to send a bearer token to a
non-https URL unless each operation is called with ``enforce_https=False``,
so the clients are given their own ``authentication_policy`` instead (a
documented keyword of every mgmt client's configuration), which puts the
fake credential's token on each request over http. Nothing else of the
SDK's pipeline is replaced: serialisation, retries, long-running-operation
polling (ARMPolling) and error mapping are the SDK's own.
"""

import os
import time
import urllib.request

import pytest
from azure.core.credentials import AccessToken
from azure.core.pipeline.policies import SansIOHTTPPolicy
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resource.subscriptions import SubscriptionClient

SUBSCRIPTION = "00000000-0000-0000-0000-5a0b1ab00001"


class FakeCredential:
    """A TokenCredential that hands out a made-up token."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("snaplab-fake-token", int(time.time()) + 3600)


class HttpBearerPolicy(SansIOHTTPPolicy):
    """Authorization: Bearer <token>, over http too (the server is local)."""

    def __init__(self, credential, scope):
        self._credential = credential
        self._scope = scope

    def on_request(self, request):
        token = self._credential.get_token(self._scope).token
        request.http_request.headers["Authorization"] = f"Bearer {token}"


@pytest.fixture(scope="session")
def endpoint():
    url = os.environ.get("SNAPLAB_ARM_ENDPOINT")
    if not url:
        pytest.fail("SNAPLAB_ARM_ENDPOINT is not set: run scripts/sdk-tests.sh")
    return url


def _options(endpoint):
    credential = FakeCredential()
    return dict(
        credential=credential,
        base_url=endpoint,
        authentication_policy=HttpBearerPolicy(credential, "https://management.azure.com/.default"),
        # ARMPolling's default wait when a 202 has no Retry-After; the
        # server sends one, this only keeps a mistake from stalling a test.
        polling_interval=1,
    )


@pytest.fixture(scope="session")
def compute(endpoint):
    return ComputeManagementClient(subscription_id=SUBSCRIPTION, **_options(endpoint))


@pytest.fixture(scope="session")
def resources(endpoint):
    return ResourceManagementClient(subscription_id=SUBSCRIPTION, **_options(endpoint))


@pytest.fixture(scope="session")
def subscriptions(endpoint):
    return SubscriptionClient(**_options(endpoint))


@pytest.fixture(scope="session")
def run_script(endpoint):
    """POST a console script to /snaplab/run (the simulator-only route)."""

    def run(script):
        request = urllib.request.Request(
            endpoint + "/snaplab/run",
            data=script.encode(),
            headers={"Content-Type": "text/plain"},
            method="POST",
        )
        with urllib.request.urlopen(request) as response:
            return response.read().decode()

    return run


@pytest.fixture(scope="session")
def connection_string():
    """The development storage account's, from the server's banner."""
    text = os.environ.get("SNAPLAB_BLOB_CONNECTION_STRING")
    if not text:
        pytest.fail("SNAPLAB_BLOB_CONNECTION_STRING is not set: run scripts/sdk-tests.sh")
    return text
