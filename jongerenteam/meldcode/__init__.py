"""The meldcode (issue 21): domain in ``model``, use cases in ``service``."""
