"""Each implementation has every member of its Protocol, of the same kind and with the same
parameters: the FAISS and the Milvus index are `VectorIndex`es, the composed knowledge base
is a `KnowledgeBase`. Compared by name against the Protocol's own members (properties
included), so a member added to a Protocol and not to an implementation fails here; a
`runtime_checkable` isinstance alone only sees that methods exist."""
from __future__ import annotations

import pytest

from core.config import StoreConfig
from core.enums import VectorStore
from retrieval.kb.faiss.index import FaissIndex
from retrieval.kb.knowledge_base import CatalogueKnowledgeBase
from retrieval.kb.milvus.index import MilvusIndex
from retrieval.kb.opening import open_catalogue_knowledge_base
from retrieval.kb.protocols import KnowledgeBase, VectorIndex
from tests.protocols import protocol_members, unmet

PAIRS = [(VectorIndex, FaissIndex), (VectorIndex, MilvusIndex), (KnowledgeBase, CatalogueKnowledgeBase)]


def test_the_protocols_declare_what_the_issue_names():
    assert {"backend", "location", "check_on_open", "load", "dense_search", "lexical_search", "apply", "save",
            "reset", "bring_level", "ids", "lexical_rows_rebuilt", "drop", "close"} == set(protocol_members(VectorIndex))
    assert {"name", "path", "backend", "replace_document", "dense_search", "lexical_search",
            "write_lock", "check", "drop_index", "__enter__"} <= set(protocol_members(KnowledgeBase))


@pytest.mark.parametrize(("protocol", "implementation"), PAIRS, ids=lambda c: c.__name__)
def test_an_implementation_has_every_member_of_its_protocol(protocol, implementation):
    assert unmet(implementation, protocol) == []


@pytest.mark.parametrize("backend", list(VectorStore))
def test_opened_knowledge_bases_and_their_indexes_satisfy_the_protocols(tmp_path, backend, request):
    uri = request.getfixturevalue("milvus_lite_uri") if backend == VectorStore.MILVUS else ""
    with open_catalogue_knowledge_base(tmp_path, "kb", StoreConfig(vector_store=backend, milvus_uri=uri),
                                       create=True) as kb:
        assert isinstance(kb, KnowledgeBase) and isinstance(kb.index, VectorIndex)
        assert kb.backend == kb.index.backend == backend
