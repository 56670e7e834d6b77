"""The course autograder: release, grade and report on the course notebooks.

Trusted side (this package, run by TAs) and untrusted side (``gradeworker.worker``,
which executes student code in its own process) talk only through
``gradeworker.protocol``, a pickle-free message format.
"""
