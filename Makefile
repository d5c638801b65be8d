# perfdoc — `make docx` builds the submission, `make test` runs the tests.
# Both create .venv on first use (Python >= 3.11) and reinstall when pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DIR    ?= .

.PHONY: docx pdf preview check fix lint test bench pictures clean

docx: $(STAMP)
	$(BIN)/perfdoc build $(DIR)

# The documents and their PDFs (LibreOffice headless).
pdf: $(STAMP)
	$(BIN)/perfdoc build --pdf $(DIR)

# The documents in the browser, updated on every save (prints the address).
preview: $(STAMP)
	$(BIN)/perfdoc preview $(DIR)

check: $(STAMP)
	$(BIN)/perfdoc check $(DIR)

fix: $(STAMP)
	$(BIN)/perfdoc fix $(DIR)

# ruff (style, bugs such as zip() without strict=) and mypy (types): zero findings.
lint: $(STAMP)
	$(BIN)/ruff check perfdoc tests
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# Speed at 1x, 10x and 100x the sample, against pandoc: writes BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python tests/bench/bench.py

# The README's pictures (LibreOffice, pdftoppm and the fonts in docs/fonts.conf).
pictures: docx
	docs/render-pictures.sh
	FONTCONFIG_FILE=$(CURDIR)/docs/fonts.conf $(BIN)/python docs/preview-shot.py

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "perfdoc 需要 Python 3.11 或更高版本（当前：$$($(PYTHON) --version)）"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf build .pytest_cache
