# Placeholder until the service issue: it installs the package and runs the
# current main job. The HTTP service issue replaces CMD with `policyqa serve`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY service ./service
COPY eval ./eval
COPY corpus ./corpus
RUN pip install --no-cache-dir -e .
CMD ["policyqa", "inspect"]
