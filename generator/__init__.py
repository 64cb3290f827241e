"""ankigen: compile a folder of Markdown lessons into an Anki deck."""

__version__ = "0.1.0"
