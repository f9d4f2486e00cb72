# A throwaway DNS client for docker-compose.yml: dig (and glibc's or musl's resolver for the search list).
# CLIENT_IMAGE: alpine (default) or a Debian-based image (e.g. the Node image clusterdns is built on).
ARG CLIENT_IMAGE=alpine:3.20
FROM ${CLIENT_IMAGE}
USER root
RUN if command -v apk >/dev/null; then apk add --no-cache bind-tools; \
    else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dnsutils \
      && rm -rf /var/lib/apt/lists/*; fi
COPY resolve.sh /usr/local/bin/resolve.sh
ENTRYPOINT ["/bin/sh", "/usr/local/bin/resolve.sh"]
