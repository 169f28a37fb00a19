"""jongerenteam: case tool for the on-site youth teams at Dutch mbo schools.

Kept light on purpose: importing the package loads nothing heavy.
"""

__version__ = "0.1.0"
