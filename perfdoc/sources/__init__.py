"""Reading a report's sources: files into the typed model (load, project_load), the
layouts, the Markdown dialect, typed headings, and the sandboxed template facts."""
