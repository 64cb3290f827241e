"""The build cache, in `OUT/.ankigen-cache/`: compiled lessons and what the last build made, so
that a build only does the work its changes call for. Keyed on everything a result depends on
(`fingerprint`), stored as plain data (`codec`, `store`); any entry that does not check out is a
miss, never an error or a stale card."""
