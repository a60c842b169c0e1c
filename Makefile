# Every target sets up what it needs: a .venv with the project and its dependencies, and,
# when run as root (CI, a fresh machine), the system libraries Qt needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_STAMP := $(VENV)/.apt-installed

# Libraries Qt's offscreen and xcb platforms load; installed only when running as root.
APT_QT := libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0 libxkbcommon0
APT_XCB := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 \
           libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-randr0
APT_TOOLS := poppler-utils xvfb xauth desktop-file-utils
# The unit record's server for the server tests and benchmarks: a throwaway cluster in a
# temporary folder (tests/server/pg_cluster.py); without it those tests skip and say why.
APT_SERVER := postgresql

.PHONY: run test lint typecheck bench forms screenshots bundle clean setup apt lock

# What is installed is the hashed lock, never "the newest release today": requirements/*.txt are
# written by `make lock` (uv, one universal file per use with environment markers for Linux and
# Windows, Python 3.11) from the ranges in pyproject.toml, and installed with --require-hashes.
# The project itself is installed without dependencies and without build isolation, so its
# build backend also comes from the lock. LOCK_DATE is the newest upload a lock may take:
# the same inputs and date give the same files.
LOCK_DATE := 2026-12-06T00:00:00Z
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 \
	--generate-hashes --exclude-newer $(LOCK_DATE) --custom-compile-command "make lock"
LOCK_RUNTIME := requirements/runtime.txt
LOCK_DEV := requirements/dev.txt
LOCK_BUNDLE := requirements/bundle.txt

setup: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(LOCK_DEV) pyproject.toml | $(VENV)/bin/python
	$(PIP_INSTALL) --require-hashes -r $(LOCK_DEV)
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Regenerate the locks from pyproject.toml (and requirements/build.in). Dev and bundle locks are
# constrained by the runtime lock, so every use gets the same runtime versions.
lock: $(STAMP)
	$(UV_COMPILE) pyproject.toml -o $(LOCK_RUNTIME)
	$(UV_COMPILE) pyproject.toml --extra dev requirements/build.in -c $(LOCK_RUNTIME) -o $(LOCK_DEV)
	$(UV_COMPILE) pyproject.toml --extra bundle requirements/build.in -c $(LOCK_RUNTIME) -o $(LOCK_BUNDLE)
	$(PY) tools/safety/generate.py

apt: $(APT_STAMP)

$(APT_STAMP): | $(VENV)/bin/python
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		missing=""; \
		for p in $(APT_QT) $(APT_XCB) $(APT_TOOLS) $(APT_SERVER); do \
			dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
		done; \
		if [ -n "$$missing" ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		fi; \
	else \
		echo "Not root: skipping system packages (Qt needs: $(APT_QT))"; \
	fi
	touch $(APT_STAMP)

run: $(STAMP) $(APT_STAMP)
	$(VENV)/bin/mgso4

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# GUI tests and screenshots run on a real X display (Xvfb, the xcb platform): offscreen
# rendering hides painting defects. Without xvfb-run they fall back to offscreen and say so.
XVFB_RUN := xvfb-run -a -s "-screen 0 1366x768x24 -nolisten tcp"
ON_X = if command -v xvfb-run >/dev/null 2>&1; then \
		echo "Qt on a real X display (Xvfb, QT_QPA_PLATFORM=xcb)"; \
		$(XVFB_RUN) env QT_QPA_PLATFORM=xcb $(1); \
	else \
		echo "NO X SERVER (xvfb-run not found): Qt runs offscreen, which hides painting defects"; \
		QT_QPA_PLATFORM=offscreen $(1); \
	fi

test: $(STAMP) $(APT_STAMP) lint typecheck
	@$(call ON_X,$(PY) -m pytest -q -p no:cacheprovider)

bench: $(STAMP) $(APT_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/run.py

forms: $(STAMP)
	$(PY) -m mgso4.gui.build_forms

# On a 1366×768 X screen for the README, then a 1280×720 set (the smallest ward screen).
screenshots: $(STAMP) $(APT_STAMP)
	@$(call ON_X,$(PY) tools/screenshots/take.py docs/screenshots)
	@if command -v xvfb-run >/dev/null 2>&1; then \
		xvfb-run -a -s "-screen 0 1280x720x24 -nolisten tcp" env QT_QPA_PLATFORM=xcb \
			$(PY) tools/screenshots/take.py docs/screenshots/1280x720; \
	fi

# One-folder desktop bundle (PyInstaller, packaging/mgso4.spec) in dist/mgso4-proforma/, then
# a smoke test of the built executable: `mgso4 assess ... --json`, and the app started
# offscreen, its ward board captured, and closed. The Windows installer packs the same folder
# (packaging/windows/README.md).
BUNDLE_STAMP := $(VENV)/.bundle-installed

$(BUNDLE_STAMP): $(LOCK_BUNDLE) $(STAMP)
	$(PIP_INSTALL) --require-hashes -r $(LOCK_BUNDLE)
	touch $(BUNDLE_STAMP)

bundle: $(BUNDLE_STAMP) $(APT_STAMP)
	@start=$$(date +%s); \
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/mgso4.spec || exit 1; \
	echo "Bundle built in $$(( $$(date +%s) - start )) s: $$(du -sh dist/mgso4-proforma | cut -f1) in dist/mgso4-proforma"
	QT_QPA_PLATFORM=offscreen $(PY) packaging/smoke_bundle.py dist/mgso4-proforma

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
