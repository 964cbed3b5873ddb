# SPDX-License-Identifier: GPL-3.0-or-later
"""Client-side checks of the 1:n IPv4 proxies, shared by the ipv4_proxy scenario and the lab's end-to-end tests:
from inet4-client over IPv4 to the VMs' names, which the site's zones point at the proxy addresses."""

from __future__ import annotations

import uuid

from labtest import run, wait_for

CA = "/usr/local/share/lab-ca.crt"  # the lab's CA on the internet's clients (lab/workloads.yml)


def client_ipv4(view) -> str:
    return view.hostvars["inet4-client"]["lab_addresses"]["inet4"]


def logged(vm, text: str, timeout: float = 10) -> bool:
    """Whether the VM's access log holds ``text`` (nginx writes it once the request is done)."""
    found, _ = wait_for(lambda: text in vm.run("cat /var/log/nginx/access.log").stdout, timeout)
    return bool(found)


def get(view, url: str, *options: str) -> tuple[int, str]:
    """curl from inet4-client (IPv4 only): (exit code, body)."""
    result = view.node("inet4-client").run(f"curl -4 -sS --max-time 10 --cacert {CA} {' '.join(options)} {url}")
    return result.rc, result.stdout.strip()


def send_mail(view, to: str, server: str | None = None) -> tuple[int, str, str]:
    """swaks from inet4-client (to the recipient domain's MX, or ``server``): (exit code, transcript, token)."""
    token = uuid.uuid4().hex
    target = f"--server {server}" if server else ""
    result = view.node("inet4-client").run(
        f"swaks -4 --to {to} --from tester@v4only.example {target} --header 'Subject: {token}' --timeout 30"
    )
    return result.rc, result.stdout + result.stderr, token


def delivered(vm, token: str, timeout: float = 30) -> bool:
    found, _ = wait_for(lambda: token in vm.run("cat /var/mail/user").stdout, timeout)
    return bool(found)


__all__ = ["CA", "client_ipv4", "delivered", "get", "logged", "run", "send_mail"]
