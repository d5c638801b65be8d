"""Working with reviewers and other years: diff, revisions, owners, init and import."""
