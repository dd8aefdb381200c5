# One place for set-up: every pip call goes through the constraints file, so the CPU torch wheel is kept.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export HF_HUB_OFFLINE := 1
export NO_ALBUMENTATIONS_UPDATE := 1
export MLFLOW_ENABLE_ASYNC_LOGGING := false

.PHONY: setup train lint test bench mlflow-ui gui screenshots clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt scripts/patch_torchvision.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -U pip setuptools wheel
	$(BIN)/pip install -q -e ".[train,eval,gui,dev]"
	$(BIN)/python scripts/patch_torchvision.py
	@if $(BIN)/pip list 2>/dev/null | grep -qiE '^(nvidia|triton)'; then \
	  echo "ERROR: CUDA packages crept into $(VENV); something bypassed constraints.txt" >&2; exit 1; fi
	touch $@

# The main job: a default training run on rendered coins -> checkpoint, MLflow run, ONNX model.
train: setup
	$(BIN)/python -m coinnet.train $(ARGS)

# Format and lint (ruff, configured in pyproject.toml); `make test` runs it first.
lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest $(ARGS)

bench: setup
	$(BIN)/python scripts/bench_train.py
	$(BIN)/python scripts/bench_render.py
	$(BIN)/python scripts/bench_predict.py

mlflow-ui: setup
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/outputs/mlflow.db --host 127.0.0.1 --port 5000 --workers 1

gui: setup
	$(BIN)/python -m coinnet.gui

# Screenshots of the desktop app under a real X server (Debian xvfb + the xcb libraries Qt's xcb plugin needs).
screenshots: setup
	command -v Xvfb >/dev/null || (apt-get update -qq && apt-get install -y -qq xvfb libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0)
	$(BIN)/python scripts/screenshots.py --train $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
