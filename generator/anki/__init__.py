"""What Anki sees and remembers: note types and their template files, GUIDs, the change plan
against the state file (`ankigen.lock`: content hashes, modification times, note ids), and the
deterministic .apkg package.

Modules: `notetypes` (NoteType, template files, CSS), `guids` (GUIDs, deck ids), `state` (the
state file), `plan` (new / changed / unchanged / removed / moved, and the times Anki will see),
`package` (writing the .apkg; reading an earlier one).
"""

__all__ = ["guids", "notetypes", "package", "plan", "state"]
