# A local stand-in for postgres:15 (Debian's postgresql package): initialises a cluster from
# POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB on first start, as the official image does.
ARG ROOTFS=charthouse-local/debian:bookworm-peers
FROM ${ROOTFS}
COPY postgres_entrypoint.sh /usr/local/bin/postgres_entrypoint.sh
RUN mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 0700 /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
STOPSIGNAL SIGINT
ENTRYPOINT ["/bin/sh", "/usr/local/bin/postgres_entrypoint.sh"]
