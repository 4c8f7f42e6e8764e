"""HTTPS and WSS served by tourney itself, with certificates from a test certificate authority
(trustme) and real clients that verify them: httpx, websockets, and Chromium for the viewer."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import websockets
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright

from tests.conftest import ROOT, Server, free_port
from tests.e2e.test_browser import CHROMIUM, CHROMIUM_ARGS, shot
from tests.helpers import add_players, create_tournament, ready_matches


class Certificate:
    """A test CA and a server certificate from it for 127.0.0.1 and localhost, as PEM files."""

    def __init__(self, where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        self.ca = trustme.CA()
        issued = self.ca.issue_cert("127.0.0.1", "localhost")
        self.cert, self.key = where / "cert.pem", where / "key.pem"
        issued.private_key_pem.write_to_path(str(self.key))
        for i, pem in enumerate(issued.cert_chain_pems):  # the server's, then the chain
            pem.write_to_path(str(self.cert), append=i > 0)
        self.der = x509.load_pem_x509_certificate(issued.cert_chain_pems[0].bytes()).public_bytes(
            Encoding.DER
        )

    def trusting(self) -> ssl.SSLContext:
        """A client context that trusts only this test CA (and verifies the host name)."""
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    def spki_sha256(self) -> str:
        """The certificate's key as Chromium pins it (base64 of SHA-256 of the DER SPKI)."""
        key = x509.load_der_x509_certificate(self.der).public_key()
        spki = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return Certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(
    tmp_path_factory: pytest.TempPathFactory, certificate: Certificate
) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("tls-server") / "data")
    s.use_tls(certificate.cert, certificate.key, certificate.trusting()).start()
    yield s
    s.stop()


def test_https_serves_the_certificate_and_verifies(
    tls_server: Server, certificate: Certificate
) -> None:
    with tls_server.client(token=None) as c:
        r = c.get("/readyz")
    assert r.status_code == 200 and r.json()["ok"]
    assert r.url.scheme == "https"
    # the certificate on the wire is the one configured
    with (
        socket.create_connection(("127.0.0.1", tls_server.port), timeout=5) as raw,
        certificate.trusting().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.getpeercert(binary_form=True) == certificate.der
        assert tls.version() == "TLSv1.3"
    # a client that does not trust the issuing CA refuses the connection
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(tls_server.url + "/readyz", verify=ssl.create_default_context(), timeout=5)
    # plain HTTP on the TLS port gets no HTTP answer
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{tls_server.port}/readyz", timeout=5)
    # the startup line names the https address
    assert f"https://127.0.0.1:{tls_server.port}" in tls_server.log.read_text()


def handshake(port: int, ctx: ssl.SSLContext) -> tuple[str, str]:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return str(tls.version()), tls.cipher()[0]


def test_tls_1_2_gets_only_forward_secret_aead_ciphers(
    tls_server: Server, certificate: Certificate
) -> None:
    tls12 = certificate.trusting()
    tls12.maximum_version = ssl.TLSVersion.TLSv1_2
    version, cipher = handshake(tls_server.port, tls12)
    assert version == "TLSv1.2" and cipher.startswith("ECDHE-")
    assert "GCM" in cipher or "CHACHA20" in cipher
    # a client offering only CBC suites with SHA-1 MACs (uvicorn's own cipher list admits
    # them) is refused
    legacy = certificate.trusting()
    legacy.maximum_version = ssl.TLSVersion.TLSv1_2
    legacy.set_ciphers("ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA")
    with pytest.raises(ssl.SSLError):
        handshake(tls_server.port, legacy)


def test_wss_carries_snapshot_live_ticks_and_events(
    tls_server: Server, certificate: Certificate
) -> None:
    with tls_server.client() as c:
        tid = create_tournament(c, "Secure Cup")["id"]
        add_players(c, tid, 4)
        assert c.post(f"/api/v1/tournaments/{tid}/start").status_code == 200
        first = ready_matches(c, tid)[0]

        async def watch() -> list[dict[str, Any]]:
            url = f"{tls_server.ws_url}/api/v1/tournaments/{tid}/ws"
            async with websockets.connect(url, ssl=certificate.trusting()) as ws:
                frames = [json.loads(await ws.recv())]
                path = f"/api/v1/tournaments/{tid}/matches/{first['id']}"
                r = await asyncio.to_thread(c.post, path + "/live", json={"scores": [1, 0]})
                assert r.status_code == 202, r.text
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                r = await asyncio.to_thread(c.post, path + "/result", json={"scores": [2, 0]})
                assert r.status_code == 200, r.text
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
                return frames

        snapshot, live, event = asyncio.run(watch())
    assert snapshot["type"] == "snapshot" and snapshot["tournament"]["id"] == tid
    assert live["type"] == "live" and live["matches"][0]["scores"] == [1, 0]
    assert event["type"] == "event" and event["event"]["type"] == "match.result"


def test_ingest_over_wss(tls_server: Server, certificate: Certificate) -> None:
    with tls_server.client() as c:
        tid = create_tournament(c)["id"]
        add_players(c, tid, 2)
        c.post(f"/api/v1/tournaments/{tid}/start")
        (m,) = ready_matches(c, tid)

        async def send() -> dict[str, Any]:
            headers = {"Authorization": c.headers["Authorization"]}
            url = f"{tls_server.ws_url}/api/v1/ingest/ws"
            async with websockets.connect(
                url, ssl=certificate.trusting(), additional_headers=headers
            ) as ws:
                tick = {"tournament_id": tid, "match_id": m["id"], "scores": [3, 1]}
                await ws.send(json.dumps([tick]))
                ack: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
                return ack

        ack = asyncio.run(send())
        assert ack["type"] == "ack" and ack["accepted"] == 1
        live = c.get(f"/api/v1/tournaments/{tid}/matches/{m['id']}").json()
        assert live["scores"] == [3, 1]


@pytest.mark.browser
def test_the_viewer_over_https_follows_live_scores_over_wss(
    tls_server: Server, certificate: Certificate
) -> None:
    with tls_server.client() as c:
        tid = create_tournament(c, "Secure Cup", visibility="public")["id"]
        add_players(c, tid, 4)
        c.post(f"/api/v1/tournaments/{tid}/start")
        first = ready_matches(c, tid)[0]
        # Chromium trusts this one key and nothing else self-made
        pin = f"--ignore-certificate-errors-spki-list={certificate.spki_sha256()}"
        with sync_playwright() as p:
            unpinned = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                with pytest.raises(PlaywrightError, match="ERR_CERT_AUTHORITY_INVALID"):
                    unpinned.new_page().goto(f"https://localhost:{tls_server.port}/t/{tid}")
            finally:
                unpinned.close()
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, pin])
            try:
                page = browser.new_page()
                page.goto(f"https://localhost:{tls_server.port}/t/{tid}")
                # the live connection is up: over wss, since the page came over https
                expect(page.locator("#conn")).to_have_class("conn conn-live")
                card = page.locator(f".match[data-id='{first['id']}']")
                path = f"/api/v1/tournaments/{tid}/matches/{first['id']}/live"
                assert c.post(path, json={"scores": [7, 5]}).status_code == 202
                expect(card).to_have_class("match s-live")
                expect(card.locator(".sc").first).to_have_text("7")
                assert page.evaluate("location.protocol") == "https:"
                shot(page, "viewer-https")
            finally:
                browser.close()


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("missing", "no such file"),
        ("swapped", "cannot use certificate"),
        ("cert only", "set both or neither"),
    ],
)
def test_unusable_tls_files_stop_the_start_with_a_clear_error(
    tmp_path: Path, certificate: Certificate, which: str, message: str
) -> None:
    options = {
        "missing": ["--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", str(certificate.key)],
        "swapped": ["--tls-cert", str(certificate.key), "--tls-key", str(certificate.cert)],
        "cert only": ["--tls-cert", str(certificate.cert)],
    }[which]
    r = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--data-dir", str(tmp_path / "d"), *options],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "d").exists()


def test_tls_from_the_config_file(tmp_path: Path, certificate: Certificate) -> None:
    config = tmp_path / "tourney.toml"
    config.write_text(f'[server]\ntls_cert = "{certificate.cert}"\ntls_key = "{certificate.key}"\n')
    s = Server(tmp_path / "data", env={"TOURNEY_CONFIG": str(config)})
    s.scheme, s.verify = "https", certificate.trusting()
    try:
        s.start()
        with s.client(token=None) as c:
            assert c.get("/readyz").status_code == 200
    finally:
        s.stop()


def test_the_demo_over_https(tmp_path: Path, certificate: Certificate) -> None:
    """The demo's player reaches its own server over TLS, and the links it prints say https."""
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    tls = ["--tls-cert", str(certificate.cert), "--tls-key", str(certificate.key)]
    with open(tmp_path / "demo.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "demo", "--port", str(port),
             "--data-dir", str(tmp_path / "data"), *tls],
            cwd=ROOT, stdout=log, stderr=log,
        )  # fmt: skip
    states: set[str] = set()
    try:
        with httpx.Client(base_url=url, verify=certificate.trusting(), timeout=5) as c:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "live" not in states:
                time.sleep(0.5)
                try:
                    for item in c.get("/api/v1/tournaments").json()["items"]:
                        t = c.get(f"/api/v1/tournaments/{item['id']}").json()
                        states |= {m["state"] for m in t["matches"]}
                except httpx.HTTPError:
                    continue
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    printed = (tmp_path / "demo.log").read_text()
    assert "live" in states, printed[-2000:]
    assert f"{url}/admin#t=" in printed and "&token=" in printed and f"{url}/t/" in printed
