"""Grading one notebook: read it, extract the student's definitions, load them into a
worker (``student.StudentProxy``), run the hidden checks and charge each mistake once."""
