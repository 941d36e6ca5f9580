# syntax=docker/dockerfile:1
# One image for every service: `psynapse <service>` is the command of each container
#   docker build -t psynapse:0.1.0 .                      # core
#   docker build -t psynapse:0.1.0-llm --build-arg EXTRAS=llm .   # + the llms pack's client
#   docker run psynapse:0.1.0 runner --pool gpu
# Base images are pinned by tag; pin them by digest too (`image@sha256:...`) in a
# registry you control when builds must be reproducible bit for bit.
ARG NODE_IMAGE=node:20.18.1-bookworm-slim
ARG PYTHON_IMAGE=python:3.12.8-slim-bookworm

# --- the editor: React + Vite, built once, served by the gateway -------------------
FROM ${NODE_IMAGE} AS editor
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# --- the Python package, installed into a virtualenv that the runtime copies -------
FROM ${PYTHON_IMAGE} AS python
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services/ services/
# EXTRAS: optional extras of the package, e.g. "llm" (empty: the core only).
ARG EXTRAS=""
RUN pip install "/src${EXTRAS:+[${EXTRAS}]}"

# --- runtime -----------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="psynapse" \
      org.opencontainers.image.description="Psynapse services: psynapse schema|orchestrator|runner|gateway"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PSYNAPSE_HTTP_HOST=0.0.0.0 \
    PSYNAPSE_HTTP_PORT=8000 \
    PSYNAPSE_SCHEMA_PORT=8001 \
    PSYNAPSE_METRICS_PORT=9090 \
    PSYNAPSE_LOG_FORMAT=json \
    PSYNAPSE_EDITOR_DIR=/app/editor \
    PSYNAPSE_NODEPACKS_DIR=/app/nodepacks \
    PSYNAPSE_DATA_DIR=/app/data
RUN groupadd --system --gid 10001 psynapse \
 && useradd --system --uid 10001 --gid psynapse --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin psynapse
COPY --from=python /opt/venv /opt/venv
COPY --from=editor /src/frontend/dist /app/editor
COPY nodepacks/ /app/nodepacks/
WORKDIR /app
# data/ holds what a service may write (the secret key file when no
# PSYNAPSE_SECRET_KEY is given); a volume mounted here inherits this owner.
RUN mkdir -p /app/data && chown psynapse:psynapse /app/data
USER 10001:10001
# gateway 8000, schema 8001, orchestrator and runner metrics/health 9090
EXPOSE 8000 8001 9090
ENTRYPOINT ["psynapse"]
CMD ["gateway"]
