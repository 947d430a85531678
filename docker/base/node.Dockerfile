# A local stand-in for node:20-bookworm-slim, made from Debian's packages (no registry pull):
# the bookworm minbase root file system, the machine's Node 20 and npm, and the machine's CA
# bundle (npm inside image builds goes through a TLS proxy on the test machines).
# Built by scripts/ensure_docker.sh; the build context is a folder it prepares.
ARG ROOTFS=charthouse-local/debian:bookworm-minbase
FROM ${ROOTFS}
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
