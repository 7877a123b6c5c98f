FROM @BASE@ AS build
RUN mkdir -p /out/bin && cp /bin/busybox /out/bin/ && echo hi > /out/hi

FROM scratch
COPY --from=build /out/ /
