#!/bin/sh
# Runs inside the build (stage "build"); its output becomes /greeting.txt.
echo "hello from a kdoctor build on $(uname -m)"
