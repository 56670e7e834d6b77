"""The course's shared library: data, models, checkpoints, plots, widgets and self-checks.

Students can read everything here, so it never contains answers to graded
exercises. Submodules are imported explicitly (``from source_lib import data``)
so that importing the package stays cheap.
"""

__version__ = "0.1.0"
