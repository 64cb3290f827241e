"""`ankigen sync`: make a learner's collection hold what the course builds, in place.

The modules are imported where they are used; this holds only what the command line needs
before it knows which command runs (importing the AnkiConnect client pulls in urllib).
"""

DEFAULT_URL = "http://127.0.0.1:8765"
"""Where AnkiConnect listens unless told otherwise."""

__all__ = ["DEFAULT_URL"]
