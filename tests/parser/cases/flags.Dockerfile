FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN --mount=type=cache,target=/root/.cache/go-build --network=none --security=insecure go build ./...
COPY --from=build --chown=app:app --chmod=0755 --link /out/app /usr/bin/app
COPY --parents --exclude=*.md ./docs/ /srv/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tar.gz /
ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["curl", "-f", "http://localhost/"]
COPY "--chown=a b" x y
COPY --chown='it'\''s' x y
