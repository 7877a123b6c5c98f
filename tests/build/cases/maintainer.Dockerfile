FROM @BASE@
MAINTAINER Jane Doe <jane@example.com>
