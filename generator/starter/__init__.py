"""The course `ankigen init` writes: a course file, a lesson with one card of every kind, and a
.gitignore. Package data, copied with placeholders filled in (generator.init)."""
