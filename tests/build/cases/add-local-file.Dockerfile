FROM @BASE@
ADD a.txt /added-a
ADD dir /added-dir/
