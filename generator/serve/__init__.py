"""`ankigen serve`: the author's loop. Build, serve the preview on localhost, watch the course
(watchfiles), and on every change build again — incrementally, in this one process, so a save
shows in the browser within a fraction of a second — and tell the open pages.

- `session`: the builds and what the pages are told (the latest preview, its version, the
  problems of the latest build).
- `server`: the HTTP server: the preview site with a live-reload script added, its data, and a
  stream of events (server-sent events) announcing each build.
- `assets/live.js`: the script in the page: it applies a new build in place — changed cards
  redrawn, the card you look at and the scroll position kept — and shows the problems.
"""

from generator.serve.session import serve

__all__ = ["serve"]
