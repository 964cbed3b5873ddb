#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Prepare a Debian 12 (bookworm: Python 3.11, podman 4.3) or Debian 13 (trixie: Python 3.13, podman 5) machine,
# as root, to run the container lab. Idempotent: installs only missing packages and rewrites the podman drop-in
# only when it differs. Anything else is refused before anything is changed.
set -eu

# python3-pyroute2: the unit tests run the address helper with Debian's pyroute2 as well as the venv's.
# python3-venv: `make` builds the venv with python3 -m venv (Debian splits ensurepip out).
PACKAGES="podman runc conmon netavark aardvark-dns iptables nftables debootstrap python3-pyroute2 python3-venv"
CONF_DIR=/etc/containers/containers.conf.d
CONF_FILE=$CONF_DIR/50-ipv6only-lab.conf

say() { printf '[host-setup] %s\n' "$*"; }

# Only the two releases this lab is built for: package names, podman's config and Python's version all depend on it.
release=$( . /etc/os-release 2>/dev/null && echo "${ID:-unknown} ${VERSION_ID:-unknown}" ) || release="unknown unknown"
case "$release" in
    "debian 12"|"debian 13") say "host: $release" ;;
    *)
        say "this host is '$release'; the lab is built for Debian 12 or Debian 13 only. Nothing was changed." >&2
        exit 1
        ;;
esac

if [ "$(id -u)" != 0 ]; then
    say "must run as root (rootful podman, debootstrap)" >&2
    exit 1
fi

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    say "installing:$missing"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
else
    say "host packages present"
fi

# A drop-in rather than editing containers.conf, so an operator's own settings stay
# untouched (podman 4.3 reads containers.conf.d). Both [containers]/[engine] values are
# mandatory here: root lacks CAP_SYS_RESOURCE (default ulimits fail with setrlimit) and
# cgroups are a v1/v2 hybrid that only runc handles. netavark is pinned because an old
# CNI conflist in /etc/cni/net.d can make podman pick CNI, which has no IPv6-only internals.
desired='# Managed by lab/host-setup.sh (ipv6only.datacenter lab).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"

[network]
network_backend = "netavark"'

mkdir -p "$CONF_DIR"
if [ -f "$CONF_FILE" ] && [ "$(cat "$CONF_FILE")" = "$desired" ]; then
    say "podman config up to date ($CONF_FILE)"
else
    printf '%s\n' "$desired" >"$CONF_FILE.tmp"
    mv "$CONF_FILE.tmp" "$CONF_FILE"
    say "wrote $CONF_FILE"
fi

backend=$(podman info --format '{{.Host.NetworkBackend}} {{.Host.OCIRuntime.Name}}')
say "podman: backend/runtime = $backend"
case "$backend" in
    "netavark runc") ;;
    *) say "unexpected podman backend/runtime: $backend" >&2; exit 1 ;;
esac
