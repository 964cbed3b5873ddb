#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the lab node image without a registry: debootstrap Debian 13 (trixie) minbase
# with packages.txt, overlay files/, clean the rootfs, import it into podman.
#
#   build.sh IMAGE MANIFEST       e.g. build.sh localhost/ipv6only-lab:0123abcd lab/image/manifest.txt
#
# Called by `lab/labctl.py image` (which computes the recipe hash for the tag).
# LAB_MIRROR overrides the Debian mirror; by default it is the one the host's apt uses.
set -eu

IMAGE=${1:?usage: build.sh IMAGE MANIFEST}
MANIFEST=${2:?usage: build.sh IMAGE MANIFEST}
HERE=$(cd "$(dirname "$0")" && pwd)
SUITE=trixie

say() { printf '[image] %s\n' "$*"; }

# Units whose daemons are baked in but must not start on every node: the roles
# enable exactly what each node runs. ssh stays enabled (Ansible needs it).
DISABLE="unbound.service unbound-resolvconf.service named.service radvd.service bird.service
haproxy.service nginx.service postfix.service kea-dhcp4-server.service kea-dhcp6-server.service
kea-ctrl-agent.service tayga chrony.service lldpd.service clatd.service
apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer"

if [ -z "${LAB_MIRROR:-}" ]; then
    # First Debian (non-security) archive in the host's apt sources, deb822 or one-line style.
    LAB_MIRROR=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
        2>/dev/null | grep -E '^[[:space:]]*(URIs:|deb[[:space:]])' | grep -oE 'https?://[^[:space:]]+/debian/?' \
        | grep -v security | head -n 1 || true)
    LAB_MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
fi

PKGS=$(grep -vE '^[[:space:]]*(#|$)' "$HERE/packages.txt" | tr -s ' \n' ',' | sed 's/,$//')

ROOT=$(mktemp -d /var/tmp/ipv6only-lab-rootfs.XXXXXX)
cleanup() {
    # debootstrap may leave /proc and /sys mounted in the target after a failure.
    for m in proc sys dev/pts dev; do umount -l "$ROOT/$m" 2>/dev/null || true; done
    rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT INT TERM

start=$(date +%s)
say "debootstrap $SUITE from $LAB_MIRROR into $ROOT"
debootstrap --variant=minbase --components=main --include="$PKGS" "$SUITE" "$ROOT" "$LAB_MIRROR" \
    | sed -u 's/^/[image]   /'
say "debootstrap done in $(( $(date +%s) - start ))s"

say "overlaying files/ and disabling daemons"
cp -a "$HERE/files/." "$ROOT/"
for unit in $DISABLE; do
    # Only units that exist: the list names optional packages' units too.
    if [ -e "$ROOT/usr/lib/systemd/system/$unit" ] || [ -e "$ROOT/etc/init.d/$unit" ]; then
        chroot "$ROOT" systemctl disable "$unit" >/dev/null 2>&1 || { say "cannot disable $unit"; exit 1; }
    fi
done
chroot "$ROOT" systemctl enable ssh.service >/dev/null 2>&1
install -d -m 0700 "$ROOT/root/.ssh"

say "cleaning the rootfs"
# debootstrap copies the host's identity and resolver; every node must get its own.
: >"$ROOT/etc/resolv.conf"
: >"$ROOT/etc/hostname"
: >"$ROOT/etc/machine-id"
rm -f "$ROOT"/var/lib/dbus/machine-id "$ROOT"/etc/ssh/ssh_host_*
rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/cache/apt/*.bin
install -d "$ROOT/var/lib/apt/lists/partial"

say "writing package manifest $MANIFEST"
chroot "$ROOT" dpkg-query -W >"$MANIFEST.tmp"
mv "$MANIFEST.tmp" "$MANIFEST"

say "importing as $IMAGE"
tar --numeric-owner -C "$ROOT" -c . | podman import --quiet \
    --change 'CMD ["/sbin/init"]' \
    --change 'STOPSIGNAL SIGRTMIN+3' \
    --change "LABEL io.ipv6only.lab.image=$IMAGE" \
    - "$IMAGE" >/dev/null
say "image $IMAGE built in $(( $(date +%s) - start ))s ($(wc -l <"$MANIFEST") packages)"
