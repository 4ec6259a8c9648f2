# One task runner for humans, the README and CI. `make help` lists the targets.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
CARGO_MANIFEST := services/scheduler/Cargo.toml
export UV_PYTHON ?= 3.11

.PHONY: help uv install web web-deps gen gen-check lint test test-python test-rust dev check-smoke bench browser clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

uv: ## install uv when it is missing (the only bootstrap step)
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv web ## create .venv with every package, the Rust VM extension included, and build the dashboard
	$(UV) sync --all-packages

WEB_STATIC := services/gateway/waymark_gateway/static/index.html
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json web/package-lock.json

web: $(WEB_STATIC) ## build the dashboard (web/, Node 20) into the gateway's static folder

web-deps: web/node_modules/.package-lock.json ## npm ci in web/ (again only when package-lock.json changes)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_STATIC): web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

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
	cd web && npx tsc --noEmit

test: install ## every test: cargo test (VM), vitest (dashboard) and pytest against a real Postgres (browser tests need /usr/bin/chromium: make browser)
	cargo test --manifest-path $(CARGO_MANIFEST)
	cd web && npm test -- --run
	$(UV) run pytest

dev: install ## run every service, workers and the demo in one process (embedded Postgres without WAYMARK_DATABASE_URL)
	$(UV) run waymark dev

check-smoke: install ## the conformance smoke test of the contract (lives outside the repo, in ../shared)
	python3 ../shared/conformance/smoke.py

browser: ## install Debian's chromium for the browser tests when /usr/bin/chromium is missing (uses sudo when not root)
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; else \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends chromium; fi

bench: install ## benchmarks with side-by-side peer runs (DBOS in the same run); ARGS="--quick" etc.
	$(UV) run --all-packages --group bench python -m bench $(ARGS)

clean: ## remove build products and the embedded dev database
	rm -rf .venv .waymark services/scheduler/target web/node_modules services/gateway/waymark_gateway/static
