"""ankigen: compile a folder of Markdown lessons into an Anki deck."""

from generator import codecache

__version__ = "0.1.0"

codecache.install()
