# SPDX-License-Identifier: GPL-3.0-or-later
# A package, so these test modules cannot clash with same-named tests elsewhere under tests/unit.
from __future__ import annotations
