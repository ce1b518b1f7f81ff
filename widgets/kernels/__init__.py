"""How trainee kernels start: forked from one warm template process (Linux), else as usual.

- ``template``: the process that imports what every kernel needs once and forks children.
- ``provisioner``: the jupyter_client kernel provisioner (``course-fork``) that asks it.
"""
