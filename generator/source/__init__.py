"""Reading the course from disk: find the course file, folders (decks) and lessons; read front
matter; split a lesson into cards, sections and labelled fields, keeping every line number; and
the ids notes are known by. Turning cards into notes is generator.kinds' work.

Modules: `discover` (course and lessons), `frontmatter` (YAML, checked), `outline` (lines,
headings, cards, list items), `fields` (`**Label:**` fields), `noteids` (written and derived ids).
"""

__all__ = ["discover", "fields", "frontmatter", "noteids", "outline"]
