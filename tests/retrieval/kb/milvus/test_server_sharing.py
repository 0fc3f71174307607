"""Several processes on one Milvus server: the one that comes second to make a knowledge
base's collection finds it made, and goes on with it (a real `milvus_lite server`)."""
from __future__ import annotations

import numpy as np

from core.config import StoreConfig
from core.types import Chunk
from retrieval.kb.opening import open_knowledge_base


def test_a_collection_made_by_another_process_first_is_used(tmp_path, milvus_server_uri):
    config = StoreConfig(vector_store="milvus", milvus_uri=milvus_server_uri)
    vectors = np.eye(2, 8, dtype=np.float32)
    with open_knowledge_base(tmp_path, "kb", config, create=True) as first, \
            open_knowledge_base(tmp_path, "kb", config) as second:  # as another process would hold it
        ids = first.replace_document("/d/a.txt", "h", [Chunk(text=t, source="/d/a.txt", retrieval_text=t, position=i,
                                                             page=1) for i, t in enumerate(["北京", "上海"])],
                                     vectors, model_name="m")
        # the second looked before the first made it: its own create is refused as "already exists"
        assert second.index._create(8) is False
        assert second.dense_search(vectors[1], 1)[0][0] == ids[1]
        assert second.check().ok
