# The project's commands. Each installs what it needs (the virtualenv in .venv/,
# Node.js 22 and the CDK CLI in .tools/) and is safe to run again.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
TS_APP := examples/typescript_cdk_app
NODE_BIN := $(abspath $(TOOLS))/node_modules/.bin
# Node.js 22 and `cdk` from .tools/ come first, for jsii and for the CDK CLI.
RUN := PATH="$(NODE_BIN):$(abspath $(BIN)):$$PATH" JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1

.PHONY: install venv tools demo test test-floor lint bench clean

install: venv tools

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade 'pip>=25.1'  # 25.1: --group (PEP 735)
	$(BIN)/python -m pip install --quiet -e '.[cdk,pulumi,nag,aws]' --group dev
	touch $@

tools: $(TOOLS)/.installed $(TS_APP)/node_modules/.installed
$(TOOLS)/.installed: tools/package.json tools/package-lock.json
	mkdir -p $(TOOLS)
	cp tools/package.json tools/package-lock.json $(TOOLS)/
	cd $(TOOLS) && npm ci --omit=peer --no-audit --no-fund --loglevel=error
	$(NODE_BIN)/node --version
	touch $@

# The TypeScript example's own node_modules (aws-cdk-lib 2.80, ts-node), as its team installs them.
$(TS_APP)/node_modules/.installed: $(TS_APP)/package.json $(TS_APP)/package-lock.json $(TOOLS)/.installed
	cd $(TS_APP) && PATH="$(NODE_BIN):$$PATH" npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

# checkov (its own virtualenv, below) checks the construct's template in tests/cdk.
test: install lint $(TOOLS)/checkov-venv/.installed
	$(RUN) $(BIN)/python -m pytest -n 2

# The CDK and Pulumi tests on the oldest supported releases, each in a virtualenv of its
# own under .tools/: tests/constraints-floor.txt (aws-cdk-lib 2.271, the first release
# whose validation plugin enforce() relies on, and the Pulumi floors) runs every test of
# tests/cdk and tests/pulumi; tests/constraints-floor-cdk-<release>.txt, one per older
# range where enforce() judges the assembly itself (2.80: no Validations; 2.254: native
# acknowledgements that reach across the app), run the CDK tests whose outcome depends
# on the release (FLOOR_CDK_TESTS: enforce failing synth and python app.py, overrides,
# later aspects, Stages, nested stacks, exemptions, acknowledgements, the cdk-nag pack).
FLOOR_VENV := $(TOOLS)/floor-venv
FLOOR_RUN := PATH="$(NODE_BIN):$(abspath $(FLOOR_VENV))/bin:$$PATH" JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1
FLOOR_CDK := 2.80 2.254
FLOOR_CDK_TESTS := tests/cdk/test_app_synth.py tests/cdk/test_validation.py \
	tests/cdk/test_validation_held.py tests/cdk/test_exempt.py tests/cdk/test_aspect.py \
	tests/cdk/test_nag_pack.py tests/cdk/test_optional_import.py

test-floor: tools $(FLOOR_VENV)/.installed $(FLOOR_CDK:%=$(TOOLS)/floor-venv-cdk-%/.installed) \
		$(TOOLS)/checkov-venv/.installed
	$(FLOOR_RUN) $(FLOOR_VENV)/bin/python -m pytest -n 2 -q tests/cdk tests/pulumi
	for release in $(FLOOR_CDK); do \
		venv=$(abspath $(TOOLS))/floor-venv-cdk-$$release; \
		PATH="$(NODE_BIN):$$venv/bin:$$PATH" JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1 \
			$$venv/bin/python -m pytest -n 2 -q $(FLOOR_CDK_TESTS) || exit 1; \
	done

$(FLOOR_VENV)/.installed: pyproject.toml tests/constraints-floor.txt
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(FLOOR_VENV)/bin/python -m pip install --quiet -e '.[cdk,pulumi,nag]' --group dev \
		-c tests/constraints-floor.txt
	touch $@

$(TOOLS)/floor-venv-cdk-%/.installed: pyproject.toml tests/constraints-floor-cdk-%.txt
	$(PYTHON) -m venv $(TOOLS)/floor-venv-cdk-$*
	$(TOOLS)/floor-venv-cdk-$*/bin/python -m pip install --quiet --upgrade 'pip>=25.1'
	$(TOOLS)/floor-venv-cdk-$*/bin/python -m pip install --quiet -e '.[cdk,nag]' --group dev \
		-c tests/constraints-floor-cdk-$*.txt
	touch $@

demo: install
	$(RUN) bash scripts/demo.sh

# The benchmarks (bench/RESULTS.md): cdk-nag in the project's virtualenv, checkov in
# one of its own under .tools/, since its pins conflict with pulumi's protobuf and grpcio.
CHECKOV_VENV := $(TOOLS)/checkov-venv

bench: install $(VENV)/.bench-installed $(CHECKOV_VENV)/.installed
	$(RUN) $(BIN)/python -m bench --results bench/RESULTS.md

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --group bench
	touch $@

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet 'checkov>=3,<4'
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) $(TS_APP)/node_modules .pytest_cache .mypy_cache .ruff_cache
