# syntax=docker/dockerfile:1
# The startjob app image: `docker run IMAGE worker`, `... bridge --host 0.0.0.0`, any `startjob`
# command. Build your own job types in with a child image:
#   FROM startjob   COPY myjobs/ /app/myjobs/   CMD ["worker", "--jobs", "myjobs"]
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---- build: a virtualenv with startjob and its dependencies, no compilers in the final image
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/startjob
WORKDIR /src
COPY pyproject.toml README.md ./
COPY activities ./activities
COPY workflows ./workflows
COPY node_bridge ./node_bridge
COPY startjob ./startjob
RUN /opt/startjob/bin/pip install .

# ---- runtime: the virtualenv only, run as an unprivileged user
FROM ${PYTHON_IMAGE} AS runtime
RUN useradd --create-home --uid 10001 --user-group startjob \
    && mkdir -p /data /app && chown startjob:startjob /data /app
COPY --from=build /opt/startjob /opt/startjob
ENV PATH=/opt/startjob/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    STARTJOB_ARTIFACTS_DIR=/data/artifacts \
    STARTJOB_DATA_SYNC_DB=/data/data-sync.sqlite3
WORKDIR /app
USER startjob
EXPOSE 8787
ENTRYPOINT ["startjob"]
CMD ["worker"]
