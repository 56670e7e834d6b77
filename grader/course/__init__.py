"""The course on disk (solutions, releases, hidden checks, points) and its nbgrader
configuration: the lowest layer, which every other part of the grader reads."""
