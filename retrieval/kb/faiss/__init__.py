"""The FAISS backend: a FAISS file of the vectors beside the catalogue, BM25 by the
catalogue's FTS5 rows. Opened only by retrieval/kb/opening.py."""
