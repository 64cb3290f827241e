"""What Anki sees: GUIDs, note types and their templates, the change plan against the state file,
and the .apkg package."""
