# SPDX-License-Identifier: GPL-3.0-or-later
"""The role contract's option tables: every option converted to its declared type, or refused by name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.ipv6only.datacenter.plugins.module_utils import border_router, contract, ipv6_host
from ansible_collections.ipv6only.datacenter.plugins.module_utils.contract import Option, OptionTable, Section
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError

TABLE = OptionTable(
    role="demo",
    short_description="demo",
    description=("demo",),
    entry_points=(("main", "demo"),),
    items=(
        Section("first"),
        Option("force", "bool", False, "a boolean"),
        Option("count", "int", 3, "an integer"),
        Option("name", "str", "x", "a string"),
        Option("mode", "str", "a", "a choice", choices=("a", "b")),
        Option("names", "list", [], "a list of strings", elements="str"),
        Option("table", "dict", {}, "a mapping"),
        Option("maybe", "bool", None, "a boolean or null"),
        Option("host", "str", "{{ inventory_hostname }}", "a Jinja default", jinja=True),
        Option(
            "peers",
            "list",
            [],
            "a list of mappings",
            elements="dict",
            suboptions=(
                Option("address", "str", None, "required", required=True),
                Option("port", "int", 179, "optional"),
            ),
        ),
    ),
)


def convert(**values):
    return TABLE.convert(values)


def refused(**values) -> list[str]:
    with pytest.raises(PlanError) as caught:
        convert(**values)
    return caught.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("false", False),
        ("False", False),
        ("no", False),
        ("0", False),
        ("off", False),
        ("true", True),
        ("yes", True),
        ("1", True),
        ("on", True),
    ],
)
def test_extra_var_strings_mean_their_boolean(text, expected):
    # -e demo_force=false arrives as the string "false", which Jinja and Python take as true.
    assert convert(force=text)["force"] is expected


def test_numbers_from_strings_and_defaults():
    got = convert(count="12", name=42, names="a, b", table='{"k": 1}')
    assert got["count"] == 12 and got["name"] == "42" and got["names"] == ["a", "b"] and got["table"] == {"k": 1}
    assert convert()["count"] == 3 and convert()["mode"] == "a"
    assert convert(names='["x", "y"]')["names"] == ["x", "y"]
    assert convert(maybe=None)["maybe"] is None


def test_every_bad_value_is_named_with_its_rule_at_once():
    problems = refused(force="maybe", count="lots", mode="c", names={"a": 1}, table=[1], count_=1)
    assert problems == [
        'demo_force "maybe": must be a boolean: true or false (also yes/no, on/off, 1/0)',
        'demo_count "lots": must be an integer',
        'demo_mode "c": must be one of a, b',
        'demo_names {"a": 1}: must be a list',
        "demo_table [1]: must be a mapping",
    ]


def test_booleans_are_not_integers_and_huge_numbers_are_refused():
    assert refused(count=True) == ["demo_count true: must be an integer, not a boolean"]
    assert refused(count="9" * 5000)[0].endswith("must be an integer of at most 20 digits")
    assert "(5004 characters): must be a string" in refused(name=["x" * 5000])[0]


def test_a_key_without_value_is_refused_unless_null_is_the_default():
    assert refused(count=None) == ["demo_count null: must be an integer (the key has no value)"]


def test_suboptions_are_converted_and_checked():
    got = convert(peers=[{"address": "2001:db8::1", "port": "1179"}, {"address": "192.0.2.1"}])
    assert got["peers"] == [{"address": "2001:db8::1", "port": 1179}, {"address": "192.0.2.1", "port": 179}]
    assert refused(peers=[{"port": 1, "asn": 2}]) == [
        "demo_peers[0].asn: unknown key (known: address, port)",
        "demo_peers[0].address: required",
    ]
    assert refused(peers=["x"]) == ['demo_peers[0] "x": must be a mapping']


@given(st.booleans())
def test_booleans_survive_any_spelling(value):
    for text in (str(value), str(value).lower(), str(value).upper(), "yes" if value else "no", int(value)):
        assert convert(force=text)["force"] is value


def test_a_table_refuses_its_own_mistakes():
    with pytest.raises(ValueError, match="type 'string'"):
        Option("x", "string")
    with pytest.raises(ValueError, match="Jinja default"):
        Option("x", "str", "plain", jinja=True)
    with pytest.raises(ValueError, match="declared twice: x"):
        OptionTable("r", "", (), (Option("x", "str"), Option("x", "int")))


@pytest.mark.parametrize("module", [ipv6_host, border_router])
def test_every_role_default_converts_to_its_own_type(module):
    table = module.OPTIONS
    values = {o.name: ("host" if o.jinja and o.type == "str" else [] if o.jinja else o.default) for o in table}
    converted = table.convert(values)
    assert set(converted) == {o.name for o in table}


def test_argument_specs_carry_every_option_for_every_entry_point():
    specs = contract.argument_specs(TABLE)["argument_specs"]
    assert list(specs) == ["main"]
    options = specs["main"]["options"]
    assert options["demo_count"] == {"description": "an integer", "type": "int", "default": 3}
    assert options["demo_host"] == {
        "description": ["a Jinja default", "Default: C({{ inventory_hostname }})."],
        "type": "str",
    }
    assert options["demo_peers"]["options"]["address"]["required"] is True
    assert contract.defaults(TABLE)["demo_host"] == "{{ inventory_hostname }}"
