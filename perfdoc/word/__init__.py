"""Writing Word: documents, the Markdown renderer, tables, the form, the report and
the project forms (raw OOXML stays in perfdoc/ooxml.py)."""
