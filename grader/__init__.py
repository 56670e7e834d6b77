"""The course autograder: release, grade and report on the course notebooks.

Trusted side (this package, run by TAs) and untrusted side (``grader.worker``,
which executes student code in its own process) talk only through
``grader.protocol``, a pickle-free message format.
"""
