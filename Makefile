# Two entry points do all set-up: `make deck` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# setuptools announces every editable install with a banner about same-named folders; the
# project's package is generator/, so the banner says nothing here.
PIP    := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip \
	--disable-pip-version-check --quiet

CHROMIUM := /usr/bin/chromium
# apt needs root; use sudo when make runs as another user.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deck test lint bench preview chromium clean campaign

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamps are keyed on pyproject.toml so a dependency change reinstalls.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test]'
	touch $(VENV)/.installed $@

deck: $(VENV)/.installed
	$(BIN)/ankigen build content --out build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

chromium: $(CHROMIUM)

test: lint $(CHROMIUM)
	$(BIN)/pytest

# The long campaign: 300 realistic edits for each of five seeds, against real Anki.
campaign: $(VENV)/.installed-test
	ANKIGEN_CAMPAIGN_STEPS=300 ANKIGEN_CAMPAIGN_SEEDS=1,2,3,4,5 $(BIN)/pytest -p no:randomly tests/test_campaign.py

preview: $(VENV)/.installed
	$(BIN)/ankigen preview content --out build/preview

# Cold, no-change and one-lesson-edit builds of 10,000 notes with the cache and without it, the
# bare Python-Markdown + Pygments + genanki loop, and a cold build of 50,000 notes.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) build/*.apkg build/preview build/screenshots
