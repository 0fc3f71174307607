"""Child pieces (retrieval/children.py): row blocks, and the dense list that
orders candidate chunks by their best piece. Pure functions on hand-written vectors."""
import numpy as np
import pytest

from retrieval.children import best_child_ranking, split_rows

# Three directions a question can point in: 嘉峪关 (the west end of the Great Wall),
# 西湖 (West Lake), 熊猫 (pandas). A chunk's child pieces are rows of such vectors.
JIAYUGUAN, WEST_LAKE, PANDA = np.eye(3, dtype=np.float32)


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_split_rows_gives_each_chunk_its_block_or_none():
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3)
    blocks = split_rows(matrix, [2, 0, 1, 1])
    assert blocks[1] is None
    assert [b.tolist() for b in (blocks[0], blocks[2], blocks[3])] == [matrix[:2].tolist(), [matrix[2].tolist()],
                                                                       [matrix[3].tolist()]]
    assert split_rows(np.zeros((0, 3)), [0, 0]) == [None, None]
    with pytest.raises(ValueError, match="rows expected"):
        split_rows(matrix, [1, 1])


def test_a_chunk_is_found_by_its_best_piece_not_by_its_diluted_whole():
    # 问：长城西端的终点是哪里？ The 长城 chunk's own vector mixes three topics (嘉峪关, 山海关,
    # 八达岭), so a chunk about 西湖 that mentions 西端 looks closer as a whole; its piece
    # "嘉峪关是长城西端的终点" is closest of all.
    query = JIAYUGUAN
    own = {1: 0.40, 2: 0.55, 3: 0.10}  # 1 长城 (three pieces), 2 西湖 (one piece), 3 熊猫
    children = {1: np.stack([JIAYUGUAN, WEST_LAKE, PANDA]) * np.float32(0.9)}
    ranked = best_child_ranking(query, [2, 1, 3], children, own)
    assert [cid for cid, _ in ranked] == [1, 2, 3]
    assert ranked[0][1] == pytest.approx(0.9)


def test_candidates_without_pieces_keep_their_own_cosine_and_unknown_ones_drop():
    ranked = best_child_ranking(WEST_LAKE, [7, 8, 9, 7], {8: np.stack([PANDA])}, {7: 0.3, 9: 0.3})
    # 8's only piece is about pandas (0.0); 7 and 9 tie and keep their order; 7 once
    assert ranked == [(7, 0.3), (9, 0.3), (8, 0.0)]
    assert best_child_ranking(WEST_LAKE, [5], {}, {}) == []
