FROM @BASE@
CMD echo shell form cmd
