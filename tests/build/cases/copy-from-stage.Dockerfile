FROM @BASE@ AS build
RUN mkdir /out && echo built > /out/artifact && echo other > /out/other

FROM @BASE@
COPY --from=build /out/artifact /artifact
COPY --from=build /out /all-out/
