# A chart server for the container tests (Debian's nginx): serves /srv/charts, writes its access
# log to /srv/logs/access.log, runs unprivileged on port 8080.
ARG ROOTFS=charthouse-local/debian:bookworm-peers
FROM ${ROOTFS}
COPY nginx.conf /etc/charthouse-nginx.conf
USER nobody
EXPOSE 8080
ENTRYPOINT ["/usr/sbin/nginx", "-c", "/etc/charthouse-nginx.conf"]
