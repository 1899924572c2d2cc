"""Near-duplicate versions of one story: MinHash signatures, LSH bands, story ids (docs/stories.md)."""
