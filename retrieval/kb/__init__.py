"""Knowledge bases on disk: the SQLite catalogue composed with a vector index (FAISS or
Milvus). Search, ingestion and the services use the `KnowledgeBase` protocol
(retrieval/kb/protocols.py) that `open_knowledge_base` (retrieval/kb/opening.py) returns;
renaming, moving between backends and removing are in retrieval/kb/manage.py."""
