"""A private reprieved for the Python end-to-end tests: started on 127.0.0.1 with an
ephemeral port and a fresh data directory, stopped (and the directory removed) by stop().

    server = Reprieved.start(["--auth", "strict"])
    server.url, server.ca, server.raw("GET", "/subscriptions?api-version=2022-12-01")
    server.stop()

The binary comes from $REPRIEVED_BIN.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import unittest

import requests

READY_LINE = re.compile(r"^reprieved: listening on (https://127\.0\.0\.1:\d+)$")
START_TIMEOUT_S = 20
STOP_GRACE_S = 5
TENANT = "00000000-0000-0000-0000-00000000a001"
SUBSCRIPTION = "00000000-0000-0000-0000-00000000b001"


def _drain(stream, sink):
    # Keep reading for the whole life of the process so the server never
    # blocks on a full pipe.
    for line in iter(stream.readline, ""):
        sink.put(line)
        if os.environ.get("REPRIEVE_E2E_VERBOSE"):
            print(line, end="", flush=True)
    stream.close()


class Reprieved:
    def __init__(self):
        self.proc = None
        self.data_dir = None
        self.url = None
        self.ca = None
        self.stderr_lines = queue.Queue()

    @classmethod
    def start(cls, extra_args=()):
        binary = os.environ.get("REPRIEVED_BIN")
        if not binary:
            raise RuntimeError("REPRIEVED_BIN is not set; point it at the reprieved binary")
        server = cls()
        server.data_dir = tempfile.mkdtemp(prefix="reprieve-e2e-py-")
        args = [binary, "--listen", "127.0.0.1:0", "--data-dir", server.data_dir,
                "--clock", "manual", *extra_args]
        try:
            server.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True)
            stdout_lines = queue.Queue()
            for stream, sink in ((server.proc.stdout, stdout_lines),
                                 (server.proc.stderr, server.stderr_lines)):
                threading.Thread(target=_drain, args=(stream, sink), daemon=True).start()
            try:
                first = stdout_lines.get(timeout=START_TIMEOUT_S)
            except queue.Empty:
                raise RuntimeError(
                    f"reprieved did not print its listening line within {START_TIMEOUT_S} s\n"
                    f"stderr:\n{server.stderr_so_far()}") from None
            m = READY_LINE.match(first.rstrip("\n"))
            if not m:
                raise RuntimeError(f"unexpected first stdout line from reprieved: {first!r}\n"
                                   f"stderr:\n{server.stderr_so_far()}")
            server.url = m.group(1)
            server.ca = os.path.join(server.data_dir, "tls", "ca.pem")
            if not os.path.isfile(server.ca):
                raise RuntimeError(f"reprieved is listening but {server.ca} does not exist")
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None

    def stderr_so_far(self):
        lines = []
        while True:
            try:
                lines.append(self.stderr_lines.get_nowait())
            except queue.Empty:
                return "".join(lines)

    def raw(self, method, path, body=None, token="x", headers=None, data=None):
        all_headers = {"Authorization": f"Bearer {token}"} if token else {}
        all_headers.update(headers or {})
        return requests.request(method, self.url + path, json=body, data=data,
                                headers=all_headers, verify=self.ca, timeout=30)

    def managed_identity_token(self, resource):
        """A token of the managed identity (Owner at root) for `resource`."""
        res = self.raw("POST", "/reprieve/msi/token", token=None,
                       headers={"Metadata": "true"}, data={"resource": resource})
        res.raise_for_status()
        return res.json()["access_token"]


class AzCli:
    """The unmodified az CLI pointed at `server`: Reprieve registered as a custom cloud (its
    ADFS-style authority, Graph under /graph/), one config directory per profile (a
    signed-in principal), the managed identity reachable through MSI_ENDPOINT."""

    def __init__(self, server):
        if shutil.which("az") is None:
            raise RuntimeError("az is not installed (Debian's azure-cli; tools/install-deps.sh --e2e)")
        self.server = server
        self.home = tempfile.mkdtemp(prefix="reprieve-az-")
        url = server.url
        self.cloud = json.dumps({
            "endpoints": {"resourceManager": url + "/", "management": url + "/",
                          "activeDirectory": url + "/adfs",
                          "activeDirectoryResourceId": url + "/",
                          "activeDirectoryGraphResourceId": url + "/",
                          "microsoftGraphResourceId": url + "/graph/"},
            "suffixes": {"keyvaultDns": ".vault.azure.net"}})

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)

    def run(self, profile, *args, timeout=120):
        """Runs `az ARGS --output json` as `profile`; returns the CompletedProcess."""
        config = os.path.join(self.home, profile)
        env = dict(os.environ, AZURE_CONFIG_DIR=config, REQUESTS_CA_BUNDLE=self.server.ca,
                   AZURE_CORE_COLLECT_TELEMETRY="false", AZURE_CORE_ONLY_SHOW_ERRORS="true",
                   MSI_ENDPOINT=self.server.url + "/reprieve/msi/token")
        if not os.path.isdir(config):
            os.makedirs(config)
            for step in (["cloud", "register", "--name", "Reprieve", "--cloud-config", self.cloud],
                         ["cloud", "set", "--name", "Reprieve"]):
                subprocess.run(["az", *step], env=env, check=True, capture_output=True, text=True)
        return subprocess.run(["az", *args, "--output", "json"], env=env, capture_output=True,
                              text=True, timeout=timeout)

    def json(self, profile, *args):
        """`az ARGS` as `profile`, which must succeed; its JSON output (None if empty)."""
        done = self.run(profile, *args)
        if done.returncode != 0:
            raise AssertionError(f"az {' '.join(args)}: {done.stderr}")
        return json.loads(done.stdout) if done.stdout.strip() else None


class AzServerTest(unittest.TestCase):
    """A test class with its own server (started with SERVER_ARGS) and az pointed at it."""

    SERVER_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Reprieved.start(list(cls.SERVER_ARGS))
        cls.cli = AzCli(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.cli.cleanup()

    def az(self, *args):
        """`az ARGS` as the managed identity's profile; its JSON output."""
        return self.cli.json("admin", *args)
