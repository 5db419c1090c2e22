# PostgreSQL 15 from Debian's packages, FROM the Debian base image (no image registry needed).
#   docker build -f deploy/images/postgres.Dockerfile -t arena-postgres:15 deploy/images
# The first start makes the cluster, the role POSTGRES_USER (password POSTGRES_PASSWORD) and its database
# POSTGRES_DB; every start serves it on port 5432 with password authentication from other hosts.
ARG BASE_IMAGE=arena-debian:bookworm
FROM ${BASE_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive PGDATA=/var/lib/postgresql/data
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p "$PGDATA" /var/run/postgresql && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql
COPY postgres-start.sh /usr/local/bin/postgres-start
USER postgres
EXPOSE 5432
CMD ["/usr/local/bin/postgres-start"]
