# One task runner for humans, the README and CI. `make help` lists the targets.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
CARGO_MANIFEST := services/scheduler/Cargo.toml
export UV_PYTHON ?= 3.11

.PHONY: help uv install gen gen-check lint test test-python test-rust dev check-smoke bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

uv: ## install uv when it is missing (the only bootstrap step)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv ## create .venv with every package, the Rust VM extension included
	$(UV) sync --all-packages

gen: install ## regenerate the betterproto2 code from libs/ir/proto and docs/diagnostics from the compiler's rules
	$(UV) run python libs/ir/scripts/gen.py
	$(UV) run python -m waymark_compiler.docs --write

gen-check: install ## fail when generated code or docs are stale
	$(UV) run python libs/ir/scripts/gen.py --check
	$(UV) run python -m waymark_compiler.docs --check

lint: install ## ruff, mypy --strict, cargo fmt --check, cargo clippy -D warnings, generated-code freshness
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy
	cargo fmt --manifest-path $(CARGO_MANIFEST) --all --check
	cargo clippy --manifest-path $(CARGO_MANIFEST) --all-targets -- -D warnings
	$(UV) run python libs/ir/scripts/gen.py --check
	$(UV) run python -m waymark_compiler.docs --check

test: install ## every test: cargo test (VM) and pytest against a real Postgres
	cargo test --manifest-path $(CARGO_MANIFEST)
	$(UV) run pytest

dev: install ## run every service, workers and the demo in one process (embedded Postgres without WAYMARK_DATABASE_URL)
	$(UV) run waymark dev

check-smoke: install ## the public conformance smoke test of the contract
	python3 ../shared/conformance/smoke.py

bench: install ## benchmarks with side-by-side peer runs (DBOS in the same run); ARGS="--quick" etc.
	$(UV) run --all-packages --group bench python -m bench $(ARGS)

clean: ## remove build products and the embedded dev database
	rm -rf .venv .waymark services/scheduler/target
