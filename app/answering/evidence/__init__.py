"""Evidence and support: the sentences of retrieved passages that answer a question, and
the check that each sentence of an answer is backed by a passage.

Pure functions over text and `ScoredChunk`s; no models are loaded here (embedding
similarity is used only when the caller passes vectors).
"""
