FROM @BASE@
RUN <<EOF
echo first > /heredoc
echo second >> /heredoc
EOF
RUN <<-EOF
	echo tabs stripped > /chomped
	EOF
