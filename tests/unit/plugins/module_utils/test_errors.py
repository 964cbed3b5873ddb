# SPDX-License-Identifier: GPL-3.0-or-later
from __future__ import annotations

import pickle

import pytest

from ansible_collections.ipv6only.datacenter.plugins.module_utils import errors
from ansible_collections.ipv6only.datacenter.plugins.module_utils.errors import PlanError, show


def test_one_problem_is_the_message():
    e = PlanError("site.name: X: bad")
    assert e.problems == ["site.name: X: bad"]
    assert str(e) == "site.name: X: bad"
    assert str(PlanError(["only one"])) == "only one"


def test_several_problems_are_counted_and_listed():
    e = PlanError(["a: 1: bad", "b: 2: worse"])
    assert e.problems == ["a: 1: bad", "b: 2: worse"]
    assert str(e) == "2 problems in the site model:\n- a: 1: bad\n- b: 2: worse"


def test_is_a_value_error_and_survives_pickling():
    e = PlanError(["a", "b"])
    assert isinstance(e, ValueError)
    copy = pickle.loads(pickle.dumps(e))
    assert copy.problems == ["a", "b"]
    assert str(copy) == str(e)


def test_needs_a_problem():
    with pytest.raises(ValueError, match="at least one problem"):
        PlanError([])


@pytest.mark.parametrize(
    ("value", "shown"),
    [("text", "text"), (None, "null"), (True, "true"), (False, "false"), (18, "18"), ([1, "a"], '[1, "a"]')],
)
def test_show_renders_values_as_written_in_yaml(value, shown):
    assert errors.show(value) == shown


def test_report_names_what_the_problems_are_in():
    assert PlanError(["a", "b"]).report("the border router configuration") == (
        "2 problems in the border router configuration:\n- a\n- b"
    )
    assert PlanError("only one").report("anything") == "only one"


# --- readable at any scale ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("", '""'), (" mgmt", '" mgmt"'), ("mgmt\n", '"mgmt\\n"'), ('a"b', '"a\\"b"'), ("mgmt", "mgmt")],
)
def test_a_string_is_quoted_when_it_would_not_be_visible(value, shown):
    assert show(value) == shown


def test_a_huge_value_is_elided():
    assert show("9" * 5000).endswith("(5000 characters)") and len(show("9" * 5000)) < 120
    assert show([1, 2, 3] * 1000).endswith("(9000 characters)")
    assert show(10**5000).startswith("an integer of")  # str() itself refuses past 4300 digits


def test_one_cause_repeated_is_summarised():
    problems = [f"site.vms[{i}].network: nope: no such network in site.networks" for i in range(100_000)]
    report = PlanError(["site.prefix: x: not an IPv6 prefix", *problems]).report()
    assert len(report) < 1000
    assert report.startswith("100001 problems in the site model:\n- site.prefix: x: not an IPv6 prefix\n")
    assert "- site.vms[4].network: nope: no such network in site.networks\n" in report
    assert "site.vms[5]" not in report
    assert report.endswith("- ... and 99995 more of site.vms[].network: no such network in site.networks")
