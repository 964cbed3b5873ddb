# SPDX-License-Identifier: GPL-3.0-or-later
"""The 1:n IPv4 proxies, as `make lab` builds them: an IPv4-only client reaches every VM behind them by name, over
HTTP, HTTPS (the VM's own certificate) and SMTP (into the VM's mailbox), through the switch."""

from __future__ import annotations

import pytest
from conftest import VIEW
from proxycheck import client_ipv4, delivered, get, logged, send_mail

PLAN = VIEW.plan
BACKENDS = PLAN["proxy"]["backends"]
pytestmark = pytest.mark.skipif(not BACKENDS, reason="this lab's site has no VM behind the proxies")


def names(service: str) -> list[tuple[str, str]]:
    return [(b["name"], b["hostnames"][0]) for b in BACKENDS if service in b["services"]]


@pytest.mark.parametrize(("vm", "name"), names("http"))
def test_http_through_the_proxies(vm, name):
    assert get(VIEW, f"http://{name}/") == (0, vm)
    assert logged(VIEW.node(vm), f'{client_ipv4(VIEW)} http "{name}" 80')


@pytest.mark.parametrize(("vm", "name"), names("https"))
def test_https_through_the_proxies(vm, name):
    assert get(VIEW, f"https://{name}/") == (0, vm)
    assert logged(VIEW.node(vm), f'{client_ipv4(VIEW)} https "{name}" {PLAN["proxy"]["proxy_protocol_port"]}')


@pytest.mark.parametrize(("vm", "name"), names("smtp"))
def test_smtp_through_the_proxies(vm, name):
    rc, transcript, token = send_mail(VIEW, f"user@{name}")
    assert rc == 0, transcript
    assert delivered(VIEW.node(vm), token)
