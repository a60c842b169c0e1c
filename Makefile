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
APT_TOOLS := poppler-utils xvfb

.PHONY: run test lint typecheck bench forms screenshots bundle clean setup apt

setup: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

apt: $(APT_STAMP)

$(APT_STAMP): | $(VENV)/bin/python
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		missing=""; \
		for p in $(APT_QT) $(APT_XCB) $(APT_TOOLS); do \
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

test: $(STAMP) $(APT_STAMP) lint typecheck
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP) $(APT_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) bench/run.py

forms: $(STAMP)
	$(PY) -m mgso4.gui.build_forms

screenshots: $(STAMP) $(APT_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m mgso4.gui.screenshots docs/screenshots

# One-folder desktop bundle (PyInstaller, packaging/mgso4.spec) in dist/mgso4-proforma/, then
# a smoke test of the built executable: `mgso4 assess ... --json`, and the app started
# offscreen, its ward board captured, and closed. The Windows installer packs the same folder
# (packaging/windows/README.md).
BUNDLE_STAMP := $(VENV)/.bundle-installed

$(BUNDLE_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,bundle]"
	touch $(BUNDLE_STAMP)

bundle: $(BUNDLE_STAMP) $(APT_STAMP)
	@start=$$(date +%s); \
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller packaging/mgso4.spec || exit 1; \
	echo "Bundle built in $$(( $$(date +%s) - start )) s: $$(du -sh dist/mgso4-proforma | cut -f1) in dist/mgso4-proforma"
	QT_QPA_PLATFORM=offscreen $(PY) packaging/smoke_bundle.py dist/mgso4-proforma

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
