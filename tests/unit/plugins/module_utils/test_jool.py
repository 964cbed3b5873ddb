"""Jool's running state, from its display commands' output.

Jool cannot load on this kernel, so these fixtures are the output of Jool 4.1's display commands in the exact
format its userspace tool prints (src/usr/argp/wargp/instance.c and global.c: `namespace,name,framework`
per instance; `field,value` per global, plateaus quoted, an unset prefix empty). They are the evidence that
the role decides against the running instance.
"""

from __future__ import annotations

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import jool

NAT64_INSTANCES = "0xffff8f0a41e3c000,border,netfilter\n"
SIIT_INSTANCES = "0xffff8f0a41e3c000,border-eam,netfilter\n"
# `jool --instance border global display --csv --no-headers` on a router still on the old prefix.
NAT64_GLOBALS = """\
manually-enabled,true
pool6,2001:db8:100:65::/96
lowest-ipv6-mtu,1280
logging-debug,false
zeroize-traffic-class,false
override-tos,false
tos,0
mtu-plateaus,"65535,32000,17914,8166,4352,2002,1492,1006,508,296,68"
address-dependent-filtering,false
drop-externally-initiated-tcp,false
drop-icmpv6-info,false
source-icmpv6-errors-better,true
f-args,11
handle-rst-during-fin-rcv,false
tcp-est-timeout,2:04:00
tcp-trans-timeout,0:04:00
udp-timeout,0:05:00
icmp-timeout,0:01:00
logging-bib,false
logging-session,false
maximum-simultaneous-opens,10
ss-enabled,false
ss-flush-asap,true
ss-flush-deadline,2000
ss-capacity,512
ss-max-payload,1452
"""


def test_globals_are_read_from_the_csv_with_quoted_plateaus():
    values = jool.global_values(NAT64_GLOBALS)
    assert values["pool6"] == "2001:db8:100:65::/96"
    assert values["mtu-plateaus"] == "65535,32000,17914,8166,4352,2002,1492,1006,508,296,68"
    assert jool.global_values("pool6,\n") == {"pool6": ""}  # an unset prefix


def test_instance_names_are_whole_names():
    assert jool.instance_names(NAT64_INSTANCES + "0xffff8f0a41e3d000,other,iptables\n") == ["border", "other"]
    # Only the SIIT instance runs: the NAT64 instance "border" is not running because "border-eam" is.
    assert "border" not in jool.instance_names(SIIT_INSTANCES)
    assert jool.instance_names("") == []


def test_a_run_interrupted_after_rendering_still_recreates_from_the_running_prefix():
    # The file on disk already says :64:, because the last run rendered it and was stopped before applying;
    # the kernel still translates with :65:. The decision follows the kernel.
    state = jool.running_state("border", NAT64_INSTANCES, NAT64_GLOBALS, SIIT_INSTANCES, "2001:db8:100:64::/96")
    assert state == {
        "nat64_running": True,
        "siit_running": True,
        "running_pool6": "2001:db8:100:65::/96",
        "recreate": True,
    }


@pytest.mark.parametrize(
    ("running", "expected"),
    [
        ("2001:db8:100:65::/96", False),
        ("2001:DB8:100:65:0::/96", False),  # the same prefix spelt otherwise: no recreate, no dropped sessions
        ("2001:db8:100:64::/96", True),
        ("", True),  # a running instance without pool6: nothing says it is right
        ("garbage", True),
    ],
)
def test_pool6_is_compared_as_a_prefix(running, expected):
    globals_ = NAT64_GLOBALS.replace("pool6,2001:db8:100:65::/96", f"pool6,{running}")
    state = jool.running_state("border", NAT64_INSTANCES, globals_, SIIT_INSTANCES, "2001:db8:100:65::/96")
    assert state["recreate"] is expected


def test_nothing_running_is_created_not_recreated():
    state = jool.running_state("border", "", "", "", "2001:db8:100:64::/96")
    assert state == {"nat64_running": False, "siit_running": False, "running_pool6": None, "recreate": False}


def test_only_the_siit_instance_running():
    state = jool.running_state("border", "", "", SIIT_INSTANCES, "2001:db8:100:64::/96")
    assert (state["nat64_running"], state["siit_running"], state["recreate"]) == (False, True, False)
