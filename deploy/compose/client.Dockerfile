# A throwaway DNS client for docker-compose.yml: alpine with dig (bind-tools).
FROM alpine:3.20
RUN apk add --no-cache bind-tools
COPY resolve.sh /usr/local/bin/resolve.sh
ENTRYPOINT ["/bin/sh", "/usr/local/bin/resolve.sh"]
