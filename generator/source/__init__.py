"""Reading the course: find lessons and folders, read front matter, split lessons into cards and
fields, and parse them into typed notes with their line numbers."""
