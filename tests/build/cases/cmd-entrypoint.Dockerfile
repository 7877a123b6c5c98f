FROM @BASE@
ENTRYPOINT ["/bin/echo", "hello"]
CMD ["world"]
