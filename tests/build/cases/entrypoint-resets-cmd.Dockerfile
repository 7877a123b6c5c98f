FROM @BASE@ AS base
CMD ["base-cmd"]

FROM base
ENTRYPOINT ["/bin/cat"]
