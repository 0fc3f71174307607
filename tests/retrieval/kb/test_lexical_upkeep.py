"""A knowledge base's lexical rows stay in step with its vocabulary: a new heading term
reaches the rows of earlier documents, a changed `<kb>/dict.txt` remakes them on open, and
pending terms left by a crash are applied on open (retrieval/kb/lexical_upkeep.py)."""
import numpy as np

from core.types import Chunk
from retrieval.kb.lexical_table import USER_DICTIONARY
from retrieval.kb.opening import open_catalogue_knowledge_base
from retrieval.lexical import query_tokens, vocabulary_terms


def _add(kb, source, heading, texts):
    chunks = [Chunk(text=t, source=source, retrieval_text=f"{heading}\n{t}", position=i, heading=heading)
              for i, t in enumerate(texts)]
    vectors = np.eye(8, dtype=np.float32)[:len(chunks)]
    kb.replace_document(source, source, chunks, vectors, model_name="m")


def _rows(kb):
    return {cid: set(tokens.split()) for cid, tokens in kb.catalogue.rows("SELECT rowid, tokens FROM chunks_fts")}


def test_a_new_heading_term_reaches_the_rows_of_earlier_documents(tmp_path):
    kb = open_catalogue_knowledge_base(tmp_path, "kb", create=True)
    _add(kb, "notes.txt", "旅行笔记", ["我们在杭州喝了望月茶馆的龙井，还去了灵隐寺。"])
    _add(kb, "teahouse.md", "望月茶馆 > 营业时间", ["早上九点开门，晚上十点关门。"])
    assert "望月茶馆" in kb.vocabulary().terms
    note_row = _rows(kb)[1]
    assert "望月茶馆" not in note_row  # not yet: the term came with a later document
    kb.save()  # the end of a batch
    assert "望月茶馆" in _rows(kb)[1]
    # …the same rows as making them all again
    incremental = _rows(kb)
    kb.rebuild_lexical()
    assert _rows(kb) == incremental
    tokens = query_tokens("望月茶馆几点开门", kb.vocabulary())
    assert "望月茶馆" in tokens
    assert kb.chunks([kb.lexical_search(tokens, 1)[0][0]])[2].source == "teahouse.md"
    kb.close()


def test_a_changed_user_dictionary_remakes_the_rows_on_open(tmp_path):
    kb = open_catalogue_knowledge_base(tmp_path, "kb", create=True)
    _add(kb, "menu.txt", "菜单", ["招牌菜是龙井虾仁和桂花糕。"])
    kb.close()
    (tmp_path / "kb" / USER_DICTIONARY).write_text("龙井虾仁\n", encoding="utf-8")
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:
        assert "龙井虾仁" in kb.vocabulary().terms
        assert "龙井虾仁" in _rows(kb)[1]
        generation = kb.generation
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:  # unchanged: nothing is made again
        assert kb.generation == generation and "龙井虾仁" in _rows(kb)[1]
    (tmp_path / "kb" / USER_DICTIONARY).unlink()
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:
        assert "龙井虾仁" not in kb.vocabulary().terms and "龙井虾仁" not in _rows(kb)[1]


def test_pending_terms_left_by_a_crash_are_applied_on_open(tmp_path):
    kb = open_catalogue_knowledge_base(tmp_path, "kb", create=True)
    _add(kb, "notes.txt", "旅行笔记", ["望月茶馆的龙井很香。"])
    _add(kb, "teahouse.md", "望月茶馆", ["早上九点开门。"])
    kb.close()  # killed before save(): the term is still pending
    with open_catalogue_knowledge_base(tmp_path, "kb") as kb:
        assert "望月茶馆" in _rows(kb)[1]
        assert kb.catalogue.rows("SELECT COUNT(*) FROM vocabulary WHERE pending = 1")[0][0] == 0


def test_many_new_terms_at_once_take_the_one_pass_scan(tmp_path):
    kb = open_catalogue_knowledge_base(tmp_path, "kb", create=True)
    names = [f"茶馆{chr(0x4e00 + 500 + i)}{chr(0x4e00 + 900 + i)}" for i in range(80)]  # more than _SQL_TERMS
    _add(kb, "guide.txt", "导览", ["本地茶馆有：" + "、".join(names[::7]) + "。"])
    for i, name in enumerate(names):
        _add(kb, f"{i}.md", name, ["营业时间九点到十点。"])
    kb.save()
    row = _rows(kb)[1]
    assert all(vocabulary_terms(name)[0] in row for name in names[::7])
    kb.close()
