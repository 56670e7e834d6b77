"""The worker runtime: everything that runs in the untrusted worker process.

``worker`` (the message loop that executes the student's definitions and calls),
``protocol`` (the pickle-free message format, shared with the trusted side),
``tripwires`` (forbidden-operation detectors) and ``tools`` (helpers run on the
student's objects). This package is mounted alone, read-only, inside the sandbox
(grader.sandbox): it must never import ``grader`` or contain answers.
"""
