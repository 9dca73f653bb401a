"""The real azure-cli, in process, against `snaplab serve` (issue 22 item 12).

Checked with azure-cli 2.91.0 / azure-cli-core 2.91.0 / knack 0.14.0 (pinned
in tests/knack/requirements.txt, installed in .venv-az/). Everything az does
is its own: argument parsing, validators, the SDK request bodies, long-running
operation polling, error messages, warnings and output formatting. Exactly
two things are replaced, because a test machine can neither sign in to
Microsoft Entra ID nor reach management.azure.com:

1. Sign-in. `Profile._create_credential` (which would build an MSAL user
   credential) returns `DummyCredential`, whose token is the string "dummy";
   the server checks only that a bearer token is present. The account list
   az keeps in azureProfile.json is written through az's own
   `Profile._normalize_properties` / `_set_subscriptions` (what `az login`
   does) from the served lab's `GET /subscriptions`, deserialized with the
   SDK's own Subscription model: az believes it is signed in to the lab's
   subscriptions, the first one active (az's own pick, as after login).
2. The HTTP destination. `requests.Session.send` (under azure-core's
   RequestsTransport and anything else az sends with requests) sends
   `https://management.azure.com/...` to the served lab's
   `http://127.0.0.1:P/...` instead, and gives the answer's `Location` and
   `Azure-AsyncOperation` headers (the LRO poller's next URLs, which the
   server writes with its own address) back with management.azure.com in
   place of the server's address, so that to az the whole conversation is
   with ARM over https (azure-core's bearer-token policy refuses http). Any
   other destination (telemetry, metadata, a SAS URL) is refused loudly: a
   test must never leave the machine. The data-plane SAS URLs in bodies
   are left as the server wrote them (az does not follow them).

The environment: a fresh AZURE_CONFIG_DIR (a temporary directory), telemetry
off, no colour, no survey prompt. Warnings az prints stay on: they are part
of the output compared.

It runs as a worker (`python harness.py worker SOCKET`) that answers one az
command line at a time over a unix socket, so az's start-up (about 1.5 s) is
paid once per test session rather than per command. `client.py` is the
other end: the `az` a real /bin/bash runs.
"""

import io
import json
import logging
import os
import socket
import struct
import sys
import tempfile
import traceback
import urllib.request

ARM = "https://management.azure.com"
# Set per command from the client's environment: each script gets a fresh lab.
ENDPOINT = {"url": None, "signed_in": None, "argv": None}


def send_message(sock, value):
    data = json.dumps(value).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)


def receive_message(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError("the other end closed the socket")
            data += chunk
        return data

    (length,) = struct.unpack(">I", exactly(4))
    return json.loads(exactly(length))


class Recorder(io.TextIOBase):
    """sys.stdout / sys.stderr for the worker's life: what az writes goes to
    the current command's chunks, in the order written, marked with its file
    descriptor, so the client can replay stdout and stderr interleaved as a
    terminal would have seen them."""

    chunks = None

    def __init__(self, fd):
        super().__init__()
        self.fd = fd

    @property
    def encoding(self):
        return "utf-8"

    def isatty(self):
        return False

    def writable(self):
        return True

    def write(self, text):
        if Recorder.chunks is None:
            sys.__stderr__.write(text)
        else:
            Recorder.chunks.append([self.fd, text])
        return len(text)


class DummyCredential:
    """What `Profile._create_credential` returns instead of an MSAL
    credential: CredentialAdaptor asks it for a token in MSAL's shape."""

    def acquire_token(self, scopes, **kwargs):
        return {"access_token": "dummy", "token_type": "Bearer", "expires_in": 3600}


def patch_sign_in():
    from azure.cli.core._profile import Profile

    Profile._create_credential = lambda self, account, tenant_id=None, client_id=None: DummyCredential()


def patch_transport():
    import requests

    original = requests.Session.send

    def send(session, request, **kwargs):
        endpoint = ENDPOINT["url"]
        if request.url.lower().startswith(ARM):
            request.url = endpoint + request.url[len(ARM):]
        elif not request.url.startswith(endpoint + "/"):
            raise requests.exceptions.ConnectionError(
                f"the realaz harness sends only to management.azure.com (the served lab), not to {request.url}")
        response = original(session, request, **kwargs)
        record(request, response)
        for name in ("Location", "Azure-AsyncOperation"):
            value = response.headers.get(name)
            if value and value.startswith(endpoint + "/"):
                response.headers[name] = ARM + value[len(endpoint):]
        return response

    requests.Session.send = send


def record(request, response):
    """With SNAPLAB_REALAZ_RECORD=FILE, each request az sends (as az sent
    it: management.azure.com, its body) and the status it got, one JSON line
    per request, tagged with the az command line that sent it: what the
    console's request view (issue 22 item 8) is compared with."""
    path = ENDPOINT.get("record") or os.environ.get("SNAPLAB_REALAZ_RECORD")
    if not path or ENDPOINT["argv"] is None:
        return
    url = request.url
    if url.startswith(ENDPOINT["url"]):
        url = ARM + url[len(ENDPOINT["url"]):]
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps({"argv": ENDPOINT["argv"], "method": request.method, "url": url,
                              "body": body, "status": response.status_code}) + "\n")


def sign_in(cli):
    """az login's bookkeeping, from the served lab's subscription list."""
    from azure.cli.core._profile import Profile
    from azure.cli.core.profiles import ResourceType, get_sdk

    with urllib.request.urlopen(f"{ENDPOINT['url']}/subscriptions?api-version=2022-12-01") as answer:
        listed = json.load(answer)["value"]
    model = get_sdk(cli, ResourceType.MGMT_RESOURCE_SUBSCRIPTIONS, "Subscription", mod="models")
    subscriptions = [model.deserialize(s) for s in listed]
    profile = Profile(cli_ctx=cli)
    accounts = profile._normalize_properties("trainer@snaplab.example", subscriptions, False)
    profile._set_subscriptions(accounts, merge=False)


def run_az(argv, cwd, endpoint, record=None):
    """One az command line: its output chunks and exit status (and, with
    `record`, its requests appended to that file)."""
    from azure.cli.core import get_default_cli
    from knack.log import cli_logger_names

    Recorder.chunks = []
    ENDPOINT["url"] = endpoint
    ENDPOINT["record"] = record
    os.chdir(cwd)
    # knack configures its log handlers once per process (it returns early
    # when the root logger has handlers): cleared, each command's --debug,
    # --verbose or --only-show-errors counts, as in a process of its own.
    for name in (None, *cli_logger_names):
        logging.getLogger(name).handlers.clear()
    try:
        cli = get_default_cli()
        if ENDPOINT["signed_in"] != endpoint:
            sign_in(cli)
            ENDPOINT["signed_in"] = endpoint
        ENDPOINT["argv"] = argv
        status = cli.invoke(argv, out_file=sys.stdout)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else 1
    except Exception:  # the harness's own failure: shown, never hidden
        sys.stderr.write("realaz harness: " + traceback.format_exc())
        status = 99
    ENDPOINT["argv"] = None
    chunks, Recorder.chunks = Recorder.chunks, None
    return {"chunks": chunks, "status": status}


def prepare_environment():
    config = tempfile.mkdtemp(prefix="realaz-azure-")
    os.environ["AZURE_CONFIG_DIR"] = config
    os.environ["AZURE_CORE_COLLECT_TELEMETRY"] = "no"
    os.environ["AZURE_CORE_NO_COLOR"] = "true"
    os.environ["AZURE_CORE_SURVEY_MESSAGE"] = "false"
    os.environ["AZURE_CORE_OUTPUT"] = "json"
    return config


def worker(path):
    prepare_environment()
    sys.stdout, sys.stderr = Recorder(1), Recorder(2)
    patch_sign_in()
    patch_transport()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    sys.__stdout__.write("ready\n")
    sys.__stdout__.flush()
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                request = receive_message(conn)
            except EOFError:
                continue
            if request.get("stop"):
                return
            send_message(conn, run_az(request["argv"], request["cwd"], request["endpoint"],
                                      request.get("record")))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "worker":
        sys.exit("usage: harness.py worker SOCKET")
    worker(sys.argv[2])
