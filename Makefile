# The two commands the README promises: `make test` and `make lab`.
# Both do their own setup on a fresh Debian machine (run as root): host packages,
# podman configuration, the venv and the lab image.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# molecule needs the venv's ansible-config on PATH.
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR ?= 0
# `make lab` converges with the Mitogen strategy (persistent Python on each node instead of one interpreter and
# one module upload per task: the lab's first converge 179 s -> 78 s). ansible.cfg keeps Ansible's plain strategy,
# which Molecule uses, so both stay tested. Evaluated when used, once the venv exists.
MITOGEN = ANSIBLE_STRATEGY_PLUGINS=$(wildcard $(CURDIR)/$(VENV)/lib/python3*/site-packages/ansible_mitogen/plugins/strategy) ANSIBLE_STRATEGY=mitogen_linear
SCENARIOS := $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

.PHONY: test lab lab-check lab-down lint pins-py313 bench-converge unit integration molecule bench bench-lab readme role-files venv host image help

help:
	@echo "make test      lint, unit tests, filter tests and every Molecule scenario"
	@echo "make lab       build the embedded lab datacenter and run site.yml against it"
	@echo "make lab-check run the lab's end-to-end tests again (LAB_INVENTORY=DIR for another lab)"
	@echo "make lab-down  remove the lab"

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-test.txt
	@echo ">>> venv: installing the pinned toolchain (about 2 minutes on a fresh machine)"
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

host:
	@bash lab/host-setup.sh

image: host venv
	@$(BIN)/python lab/labctl.py image

lint: venv pins-py313
	ruff check .
	ruff format --check .
	yamllint -s .
	# The checkout itself, and the fixture collection whose role the ipv6_host scenario runs.
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/collections:$(CURDIR)/tests/fixtures/collections ansible-lint --offline
	antsibull-changelog lint

# CI is Debian 12 (Python 3.11); a Debian 13 machine builds the same venv with Python 3.13: every pin must
# resolve there too. Wheels only, so nothing is built and the check takes half a minute.
pins-py313: venv
	@echo ">>> pins: resolving requirements-test.txt for Python 3.13 (Debian 13)"
	@mkdir -p .cache && $(BIN)/pip install --disable-pip-version-check --dry-run --ignore-installed \
		--target $(CURDIR)/.cache/py313-dry --python-version 3.13 --only-binary=:all: \
		-r requirements-test.txt >.cache/pins-py313.log 2>&1 \
		|| { grep -v '^WARNING: Location' .cache/pins-py313.log | tail -n 30; exit 1; }
	@echo ">>> pins: $$(grep -c . requirements-test.txt) lines resolve for Python 3.13: $$(grep -o 'Would install.*' .cache/pins-py313.log | awk '{print NF - 2}') packages"

# host: the address helper's tests run with Debian's python3-pyroute2 too, in network namespaces.
unit: venv host
	pytest -q tests/unit

integration: venv
	bash tests/integration/run.sh

molecule: image
	@bash tests/molecule.sh $(SCENARIOS)

test: lint unit integration molecule

lab: image
	$(BIN)/python lab/labctl.py up --inventory inventories/lab
	$(MITOGEN) ansible-playbook site.yml -i inventories/lab
	$(MITOGEN) ansible-playbook lab/workloads.yml -i inventories/lab
	$(MAKE) --no-print-directory lab-check

# Whether the datacenter works, from the clients' side (tests/lab): non-zero when a check fails.
LAB_INVENTORY ?= inventories/lab
lab-check: venv
	$(BIN)/python lab/labctl.py inspect --inventory $(LAB_INVENTORY)
	LAB_INVENTORY=$(abspath $(LAB_INVENTORY)) $(BIN)/pytest -p no:cacheprovider -v tests/lab

lab-down: venv
	$(BIN)/python lab/labctl.py down --inventory inventories/lab

readme: venv
	$(BIN)/python tests/readme_spec.py

# Each role's defaults/main.yml and meta/argument_specs.yml, from its builder's option table.
role-files: venv
	$(BIN)/python tests/role_files.py

bench: venv
	$(BIN)/python benchmarks/plan_scale/run.py

# The lab's build, up and converge times; against a baseline commit with BASELINE=<commit> (takes the lab down).
BASELINE ?=
bench-converge: image
	$(BIN)/python benchmarks/lab/run.py $(if $(BASELINE),--baseline $(BASELINE))

# Needs the lab from `make lab`.
bench-lab: venv
	$(BIN)/python benchmarks/nat64/run.py --inventory inventories/lab
	$(BIN)/python benchmarks/dns64/run.py --inventory inventories/lab
	$(BIN)/python benchmarks/proxy/run.py --inventory inventories/lab
