# schemagate images. Targets:
#   runtime (default)  static binary + pg_dump/pg_restore + mysqldump (mariadb-dump)
#   minimal            FROM scratch, the static binary alone (backups off)
#   runtime-prebuilt, minimal-prebuilt: the same around build-static/schemagate
#   made on the host by scripts/build-static.sh (quicker when iterating)
#   docker build -t schemagate .
#   docker build --target minimal -t schemagate:minimal .
# Build arguments: PG_MAJOR (the pg_dump/pg_restore major, default 17, the
# newest in a Debian stable suite; pg_dump refuses servers newer than itself
# and dumps every older one back to 9.2), UID (the numeric user), VERSION,
# DEBIAN_IMAGE (the build stage, Debian 12) and TOOLS_IMAGE (the tools stage,
# Debian 13: postgresql-client-17 and mariadb-client 11.8).
ARG DEBIAN_IMAGE=docker.io/library/debian:bookworm-slim
ARG TOOLS_IMAGE=docker.io/library/debian:trixie-slim

# --- build: the same scripts/build-static.sh as on a developer machine -------
FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      build-essential cmake pkg-config ca-certificates dpkg-dev file \
      libpqxx-dev libpq-dev libsqlitecpp-dev libsqlite3-dev libcxxopts-dev \
      libspdlog-dev libfmt-dev libssl-dev libmysqlcppconn-dev libmariadb-dev zlib1g-dev \
      >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# libpq from the PostgreSQL source package: its own layer, rebuilt only when
# the script changes.
COPY scripts/build-static.sh scripts/
RUN scripts/build-static.sh --deps && rm -rf /var/lib/apt/lists/*
# Only what the compile needs, so edits to docs or tests reuse this layer.
COPY CMakeLists.txt ./
COPY cmake cmake
COPY bench bench
COPY src src
RUN scripts/build-static.sh

# --- tools: the dump tools and exactly the shared libraries they load --------
FROM ${TOOLS_IMAGE} AS tools
ARG PG_MAJOR=17
ARG UID=10001
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "postgresql-client-${PG_MAJOR}" mariadb-client binutils >/dev/null
COPY scripts/collect-runtime.sh /usr/local/bin/
RUN collect-runtime.sh /out "${UID}" \
      "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump" \
      "/usr/lib/postgresql/${PG_MAJOR}/bin/pg_restore" \
      /usr/bin/mariadb-dump \
 && ln -s mariadb-dump /out/usr/bin/mysqldump \
 && printf '%s\n' '# MariaDB 11.4+ clients demand TLS with a verified certificate by default and' \
      '# so fail on servers without TLS (error 2026), which schemagate itself reaches:' \
      '# use TLS when the server offers it, without demanding it.' \
      '[client-mariadb]' 'ssl-verify-server-cert=0' >/out/etc/my.cnf

# --- minimal: the static binary alone ----------------------------------------
FROM scratch AS minimal-base
ARG UID=10001
ARG VERSION=0.1.0
# No dump tool here: backups are off unless asked for (SQLite backs up
# without one; PostgreSQL/MySQL then fail with exit 7 naming the missing tool).
ENV PATH=/usr/bin \
    SCHEMAGATE_MIGRATIONS=/migrations \
    SCHEMAGATE_BACKUP=never
USER ${UID}:${UID}
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Database schema-migration gate (static binary only, no dump tools)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.documentation="README.md, section Container image"
ENTRYPOINT ["schemagate"]
CMD ["run"]

# --- runtime: binary + dump tools, non-root, read-only friendly --------------
FROM scratch AS runtime-base
ARG UID=10001
ARG VERSION=0.1.0
ARG PG_MAJOR=17
COPY --from=tools /out/ /
ENV PATH=/usr/bin \
    SCHEMAGATE_MIGRATIONS=/migrations \
    SCHEMAGATE_BACKUP_DIR=/backups
USER ${UID}:${UID}
VOLUME ["/backups"]
LABEL org.opencontainers.image.title="schemagate" \
      org.opencontainers.image.description="Database schema-migration gate with pg_dump ${PG_MAJOR} and mariadb-dump for pre-migration backups" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.documentation="README.md, section Container image"
ENTRYPOINT ["schemagate"]
CMD ["run"]

# --- the same two images around a binary already built on the host by
# scripts/build-static.sh (targets minimal-prebuilt, runtime-prebuilt; for
# development; the targets below build from source) --------------------------
FROM scratch AS prebuilt
COPY build-static/schemagate /schemagate

FROM minimal-base AS minimal-prebuilt
COPY --from=prebuilt /schemagate /usr/bin/schemagate

FROM runtime-base AS runtime-prebuilt
COPY --from=prebuilt /schemagate /usr/bin/schemagate

# --- the images users build ---------------------------------------------------
FROM minimal-base AS minimal
COPY --from=build /src/build-static/schemagate /usr/bin/schemagate

FROM runtime-base AS runtime
COPY --from=build /src/build-static/schemagate /usr/bin/schemagate
