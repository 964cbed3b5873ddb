#!/bin/bash
# Check every file render.yml produced (one directory per combination) with the daemon's own tool, inside
# the lab image (Debian 13: tayga 0.9.2, unbound 1.22+, BIND 9.20, radvd 2.20, BIRD 2, nftables, chrony).
# Usage: validate.sh OUT_DIR IMAGE   (IMAGE: `lab/labctl.py image --print-tag`)
# Exit status 1 if a check fails, 2 if the checks could not run at all.
set -euo pipefail
out=$(realpath "${1:?usage: validate.sh OUT_DIR IMAGE}")
image=${2:?usage: validate.sh OUT_DIR IMAGE}
podman image exists "$image" || { echo "no image $image: run lab/labctl.py image" >&2; exit 2; }
checks='
fail=0
check() { local what=$1; shift; if msg=$("$@" 2>&1); then echo "ok    $what"; else echo "FAIL  $what"; echo "$msg" | sed "s/^/      /"; fail=1; fi; }
mkdir -p /var/lib/tayga; cp /usr/share/dns/root.key /var/lib/unbound/root.key
for d in /out/*/; do
  c=$(basename $d)
  [ -f $d/tayga.conf ] && check "$c: tayga --mktun (tayga.conf)" unshare --net tayga --config $d/tayga.conf --mktun
  [ -f $d/unbound.conf ] && check "$c: unbound-checkconf" unbound-checkconf $d/unbound.conf
  [ -f $d/named.conf ] && check "$c: named-checkconf" named-checkconf $d/named.conf
  [ -f $d/radvd.conf ] && check "$c: radvd --configtest" radvd --configtest --config=$d/radvd.conf
  [ -f $d/border_router.nft ] && check "$c: nft -c -f" nft -c -f $d/border_router.nft
  [ -f $d/bird.conf ] && check "$c: bird -p" bird -p -c $d/bird.conf
  [ -f $d/chrony.conf ] && check "$c: chronyd -p (chrony.conf)" chronyd -p -f $d/chrony.conf
  [ -f $d/tayga.service ] && check "$c: systemd-analyze verify (tayga.service)" sh -c "cp $d/tayga.service /etc/systemd/system/tayga.service && systemd-analyze verify /etc/systemd/system/tayga.service"
  for f in $d/jool.conf $d/jool_siit.conf; do [ -f $f ] && check "$c: JSON ($(basename $f))" python3 -m json.tool $f; done
done
exit $fail'
run() {
  podman run --rm --network none --cap-add NET_ADMIN --cap-add SYS_ADMIN --device /dev/net/tun \
    -v "$out:/out:ro" "$image" bash -euo pipefail -c "$checks"
}
rc=0; run || rc=$?
# 125-127 is podman failing to start the container, not a check failing: say so, and try once more.
if [ "$rc" -ge 125 ]; then
  echo "podman could not run the checks in $image (exit $rc); retrying once" >&2
  rc=0; run || rc=$?
  [ "$rc" -ge 125 ] && { echo "podman could not run the checks in $image (exit $rc)" >&2; exit 2; }
fi
exit "$rc"
