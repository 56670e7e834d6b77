"""A class on this machine: Unix accounts, nbgrader's exchange, course folders, the hub."""
