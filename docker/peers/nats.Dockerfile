# A local stand-in for nats (Debian's nats-server 2.9); arguments as for the official image.
ARG ROOTFS=charthouse-local/debian:bookworm-peers
FROM ${ROOTFS}
RUN mkdir -p /data && chown nobody:nogroup /data
USER nobody
EXPOSE 4222 8222
ENTRYPOINT ["/usr/sbin/nats-server"]
CMD ["-js", "-sd", "/data", "-m", "8222"]
