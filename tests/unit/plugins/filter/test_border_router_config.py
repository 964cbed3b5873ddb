# SPDX-License-Identifier: GPL-3.0-or-later
"""The border_router_config filter takes options from anywhere (not through role_config): it converts and checks
them with the role's option table all the same, so a wrong type is one clear error, never a crash."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from sites import small_plan

from ansible_collections.ipv6only.datacenter.plugins.filter.border_router_config import border_router_config


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"bgp_neighbors": 7}, 'border_router_bgp_neighbors[0] "7": must be a mapping'),
        ({"bgp_neighbors": ["x"]}, 'border_router_bgp_neighbors[0] "x": must be a mapping'),
        ({"dns64_stub_zones": [5]}, "border_router_dns64_stub_zones[0] 5: must be a mapping"),
        ({"ra_autonomous": [1]}, "border_router_ra_autonomous [1]: must be a mapping"),
        ({"bgp_router_id": "192.0.2.1; x"}, 'border_router_bgp_router_id "192.0.2.1; x": not an IPv4 address'),
    ],
)
def test_wrong_types_and_syntax_are_one_clear_error(options, message):
    with pytest.raises(AnsibleFilterError) as caught:
        border_router_config(small_plan(), "br1", options, {})
    assert str(caught.value) == message
