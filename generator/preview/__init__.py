"""The preview site: every card of a course, rendered with the real templates, in one page that
opens from disk."""

from generator.preview.site import PreviewCache, write_preview

__all__ = ["PreviewCache", "write_preview"]
