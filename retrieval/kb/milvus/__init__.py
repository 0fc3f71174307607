"""The Milvus backend: a knowledge base whose vectors and BM25 live in Milvus (Milvus Lite
or a server). Opened only by retrieval/kb/opening.py.

The SQLite catalogue (retrieval/kb/catalogue.py) stays as it is for both backends:
documents, content hashes and statuses (so incremental re-ingest still skips unchanged
files), chunks with their text, metadata and embeddings, the vocabulary and the lexical
rows. Milvus holds, per chunk, the vector and the lexical row, which its `jieba` analyzer
and BM25 function index (connection.py); dense and BM25 search run there. Fusion,
relevance, evidence and refusal are Yizhi's own and unchanged (retrieval/search.py).

Every commit goes to the catalogue first, then to Milvus; a crash in between is
reconciled on the next open (index.py), as the FAISS file is. Because the catalogue keeps
the embeddings, the collection can always be rebuilt from it, and a knowledge base moves
between the backends without re-embedding (retrieval/kb/manage.py `migrate_knowledge_base`).

A chunk's row goes to Milvus as the catalogue made it when the chunk was stored; when a
later document's heading term is given to the catalogue rows of earlier documents
(retrieval/kb/lexical_table.py `apply_pending`), their Milvus rows keep the tokens they had
until the rows are made again (`rebuild_lexical`, `python -m ingest --relex`).

Where the collection lives: `StoreConfig.milvus_uri` — a server (http(s)://host:19530),
a Milvus Lite file shared by the knowledge bases of this data folder, or, when empty, a
Milvus Lite file `milvus.db` in the knowledge base's own folder. The collection's name is
made once and recorded in the catalogue, so knowledge bases of equal names in different
data folders never meet on one server.
"""
