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

.PHONY: deck test lint bench bench-sync preview chromium desktop-deps readme-images clean campaign \
	mutate mutate-sample

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

$(VENV)/.installed-mutate: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[test,mutate]'
	touch $(VENV)/.installed $(VENV)/.installed-test $@

deck: $(VENV)/.installed
	$(BIN)/ankigen build content --out build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check generator tests bench mutation
	$(BIN)/ruff format --check generator tests bench mutation
	$(BIN)/mypy

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

chromium: $(CHROMIUM)

# The desktop tier and the AnkiConnect tests run Anki desktop (aqt, from PyPI with the test
# extras) on Xvfb; the desktop tier presses keys with xdotool (xmodmap puts characters such as °
# on a key). Qt's xcb platform and QtWebEngine need these Debian libraries.
DESKTOP_DEBS := xvfb xauth xdotool x11-xserver-utils libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 \
	libxcb-shape0 libnss3 libegl1 libgl1 fonts-dejavu
desktop-deps:
	@dpkg -s $(DESKTOP_DEBS) >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(DESKTOP_DEBS); }

test: lint $(CHROMIUM) desktop-deps
	$(BIN)/pytest

# The long campaigns: 300 realistic edits for each of five seeds, against real Anki, through
# build and import and through sync.
campaign: $(VENV)/.installed-test
	ANKIGEN_CAMPAIGN_STEPS=300 ANKIGEN_CAMPAIGN_SEEDS=1,2,3,4,5 $(BIN)/pytest -p no:randomly \
	  tests/test_campaign.py tests/test_sync_campaign.py

# Mutation testing (not part of `make test`): each room in turn, then the score of each
# (mutation/score.py says how mutants are counted). ROOMS=render runs one room; JOBS sets
# the worker processes. Results stay in mutants/ for `mutmut show NAME` and `mutmut browse`.
ROOMS ?= source render kinds anki
JOBS  ?= 2
mutate: $(VENV)/.installed-mutate
	rm -rf mutants
	for room in $(ROOMS); do \
	  $(BIN)/mutmut run --max-children $(JOBS) "generator.$$room.*" || exit 1; \
	done
	$(BIN)/python mutation/score.py --min 90 $(ROOMS)

# A quicker estimate: one mutant in EVERY (fixed by a hash of its name), scored with its 95%
# interval; SALT picks another fixed sample. mutmut makes every mutant first; the one named
# here only starts it.
EVERY ?= 10
SALT  ?=
mutate-sample: $(VENV)/.installed-mutate
	rm -rf mutants
	$(BIN)/mutmut run --max-children $(JOBS) "generator.source.fields.x_not_a_label__mutmut_1"
	$(BIN)/mutmut run --max-children $(JOBS) \
	  $$(cd mutation && ../$(BIN)/python sample.py --every $(EVERY) --salt '$(SALT)' $(ROOMS))
	$(BIN)/python mutation/score.py --sampled --min 90 $(ROOMS)

# The README's card pictures are the desktop tier's screenshots (run `make test` first).
SHOTS := build/screenshots/desktop
readme-images:
	cp $(SHOTS)/light-1000/pt-ft-quiz-goal-of-pretraining-picked.png docs/images/choice-before.png
	cp $(SHOTS)/light-1000/pt-ft-quiz-goal-of-pretraining-back.png docs/images/choice-after.png
	cp $(SHOTS)/dark-400/pt-ft-quiz-goal-of-pretraining-back.png docs/images/choice-after-night-400.png

preview: $(VENV)/.installed
	$(BIN)/ankigen preview content --out build/preview

# Cold, no-change and one-lesson-edit builds of 10,000 notes with the cache and without it, the
# bare Python-Markdown + Pygments + genanki loop, and a cold build of 50,000 notes.
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/fields.py --check

# Sync timings need Anki's library and, for AnkiConnect, Anki desktop: the test set-up.
bench-sync: $(VENV)/.installed-test desktop-deps
	$(BIN)/python bench/sync.py

clean:
	rm -rf $(VENV) build/*.apkg build/preview build/screenshots mutants
