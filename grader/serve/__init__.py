"""Servers for the people who use the course, on this machine.

- :mod:`grader.serve.lab` - JupyterLab and the formgrader for the course (``course lab``, ``course formgrader``),
- :mod:`grader.serve.local_services` - a PostgreSQL server and a Dask cluster on this machine, to try the grader on.
"""
