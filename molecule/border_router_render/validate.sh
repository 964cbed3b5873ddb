#!/bin/bash
# Check every file render.yml produced with the daemon's own tool, inside the lab image (Debian 13:
# tayga 0.9.2, unbound 1.22+, BIND 9.20, radvd 2.20, BIRD 2, nftables). Usage: validate.sh [OUT_DIR] [IMAGE]
set -euo pipefail
out=$(realpath "${1:-$(dirname "$0")/out}")
image=${2:-$(podman images --format '{{.Repository}}:{{.Tag}}' --filter reference=localhost/ipv6only-lab | head -1)}
[ -n "$image" ] || { echo "no lab image (localhost/ipv6only-lab:*): run lab/labctl.py image" >&2; exit 2; }
exec podman run --rm --network none --cap-add NET_ADMIN --cap-add SYS_ADMIN --device /dev/net/tun \
  -v "$out:/out:ro" "$image" bash -euo pipefail -c '
fail=0
check() { local what=$1; shift; if out=$("$@" 2>&1); then echo "ok    $what"; else echo "FAIL  $what"; echo "$out" | sed "s/^/      /"; fail=1; fi; }
mkdir -p /var/lib/tayga; cp /usr/share/dns/root.key /var/lib/unbound/root.key
[ -f /out/tayga.conf ] && check "tayga --mktun (tayga.conf)" unshare --net tayga --config /out/tayga.conf --mktun
[ -f /out/unbound.conf ] && check "unbound-checkconf (unbound.conf)" unbound-checkconf /out/unbound.conf
[ -f /out/named.conf ] && check "named-checkconf (named.conf)" named-checkconf /out/named.conf
[ -f /out/radvd.conf ] && check "radvd --configtest (radvd.conf)" radvd --configtest --config=/out/radvd.conf
[ -f /out/border_router.nft ] && check "nft -c -f (border_router.nft)" nft -c -f /out/border_router.nft
[ -f /out/bird.conf ] && check "bird -p (bird.conf)" bird -p -c /out/bird.conf
[ -f /out/tayga.service ] && check "systemd-analyze verify (tayga.service)" sh -c "cp /out/tayga.service /etc/systemd/system/tayga.service && systemd-analyze verify /etc/systemd/system/tayga.service"
for f in /out/jool.conf /out/jool_siit.conf; do [ -f $f ] && check "JSON ($(basename $f))" python3 -m json.tool $f; done
exit $fail'
