"""`perfdoc preview`: the documents in the browser, updated on every save."""
