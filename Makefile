# Yizhi (已知). `make run` and `make test` are the contract with users.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DOCS ?= data/docs
KB ?= default
DATA ?= ../shared/evaldata/cmrc2018
QA ?= $(wildcard $(DATA)/qa*.jsonl)
HOST ?= 127.0.0.1
PORT ?= 8501
API_PORT ?= 8000
DOCQA ?= ../shared/evaldata/docqa
DOCS_FOLDERS ?= $(DOCQA)/../docs_zh_md $(DOCQA)/../pdfs/zh $(DOCQA)/../pdfs/en
SCALE_CHUNKS ?= 100000
SCALE_BACKEND ?= faiss

.PHONY: setup run api test lint ingest eval eval-docs bench clean

setup: $(STAMP)

# Reinstalls only when requirements.txt changes; pip caches the llama-cpp-python wheel
# it builds (about 11 minutes the first time on 2 cores).
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# make run HOST=0.0.0.0 LISTEN_WITHOUT_LOGIN=1: every interface, saying you know the app has no login
# (without it any address but a loopback one is refused; README: Reaching Yizhi from other computers).
run: setup
	@$(PY) -m app.cli.bootstrap_cli --docs $(DOCS) --kb $(KB)
	$(PY) -m app.serving.ui_launcher --server.address $(HOST) --server.port $(PORT) $(if $(LISTEN_WITHOUT_LOGIN),--listen-without-login) \
	    --server.headless true --browser.gatherUsageStats false --client.toolbarMode minimal

# The HTTP API (OpenAI-compatible /v1, Yizhi's own /api/v1, docs at /docs), with the same
# first-run indexing as `make run`. Any HOST but loopback needs YIZHI_API_KEY.
api: setup
	@$(PY) -m app.cli.bootstrap_cli --docs $(DOCS) --kb $(KB)
	$(PY) -m app serve --host $(HOST) --port $(API_PORT)

test: setup lint
	$(PY) -m pytest

# Ruff (style and real mistakes) and the import-linter contracts (layers point one way).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

ingest: setup
	$(PY) -m ingest $(DOCS) --kb $(KB)

# make eval DATA=folder [QA="a.jsonl b.jsonl"] [ARGS="--compare --details out.jsonl"]: questions
# repeated across the qa files (squad's qa_sample626 holds the other two) are asked once.
eval: setup
	$(PY) -m app eval --corpus $(firstword $(wildcard $(DATA)/corpus*.jsonl)) $(addprefix --qa ,$(QA)) $(ARGS)

# make eval-docs [DOCQA=folder with qa.jsonl] [DOCS_FOLDERS="a b"]: real files ingested as a user ingests
# them and every question asked through the service (default: ../shared/evaldata/docqa over its documents).
eval-docs: setup
	$(PY) -m app eval $(addprefix --docs ,$(DOCS_FOLDERS)) --qa $(DOCQA)/qa.jsonl $(ARGS)

# make bench [SCALE_CHUNKS=1000000] [SCALE_BACKEND=milvus]: OCR, the engine before beside the one used
# (bench/ocr_bench.py), then ingestion and search, the embedding backends (torch, onnx, onnx-int8:
# bench/embed_bench.py); the scale benchmark builds (once, then
# reuses) a knowledge base of SCALE_CHUNKS synthetic chunks under $(YIZHI_DATA_DIR)/bench; last, FAISS,
# a Milvus Lite file and a Milvus server side by side on the same questions (bench/milvus_parity.py);
# then the first token with the prompt's fixed head kept against reading it all (bench/prefix_bench.py).
bench: setup
	$(PY) -m bench.ocr_bench
	$(PY) -m bench.ingest_bench
	$(PY) -m bench.search_bench
	$(PY) -m bench.embed_bench
	$(PY) -m bench.scale_bench --chunks $(SCALE_CHUNKS) --backend $(SCALE_BACKEND)
	$(PY) -m bench.milvus_parity
	$(PY) -m bench.prefix_bench
	$(PY) -m bench.stream_bench

clean:
	rm -rf $(VENV) .pytest_cache
