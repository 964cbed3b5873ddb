# SPDX-License-Identifier: GPL-3.0-or-later
"""With HAProxy stopped on the router upstream sends the proxy address to, that router withdraws the address, and
new HTTP, HTTPS and SMTP connections go through the other within 30 s. Runs last; HAProxy is started again after."""

from __future__ import annotations

import re

import pytest
from conftest import PLAN, VIEW, node, run, wait_for
from proxycheck import delivered, get, send_mail

PROXY = PLAN["proxy"]["ipv4"][0]
NAME = f"vm2.{PLAN['domain']}"


def serving_router() -> str:
    """The router upstream's best path for the proxy address leads to."""
    out = run(node("upstream"), f"ip -4 route show {PROXY}/32").stdout
    via = re.search(r"via (\S+)", out).group(1)
    return next(r for r in ("br1", "br2") if VIEW.hostvars[r]["lab_addresses"]["inet4"] == via)


@pytest.fixture(scope="module")
def stopped():
    router = serving_router()
    run(node(router), "systemctl stop haproxy.service")
    yield router
    run(node(router), "systemctl start haproxy.service")


def test_the_stopped_router_drops_and_withdraws_the_address(stopped):
    assert f"{PROXY}/32" not in run(node(stopped), "ip -4 -brief address show dev lo").stdout
    other, took = wait_for(lambda: serving_router() != stopped and serving_router(), 30)
    assert other and other != stopped, f"upstream still routes {PROXY} to {stopped} after {took:.0f} s"


def test_new_connections_go_through_the_other_router_within_30_seconds(stopped):
    _, took = wait_for(lambda: get(VIEW, f"http://{NAME}/") == (0, "vm2"), 30)
    assert get(VIEW, f"http://{NAME}/") == (0, "vm2"), f"HTTP failed for {took:.0f} s"
    assert get(VIEW, f"https://{NAME}/") == (0, "vm2")
    rc, transcript, token = send_mail(VIEW, "user@vm3." + PLAN["domain"])
    assert rc == 0, transcript
    assert delivered(node("vm3"), token)
