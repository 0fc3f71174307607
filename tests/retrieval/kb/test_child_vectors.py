"""How child pieces' vectors are stored in the catalogue (retrieval/kb/child_vectors.py)."""
import numpy as np
import pytest

from retrieval.kb.child_vectors import pack, unpack


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_pack_and_unpack_round_trip():
    rows = np.stack([np.eye(3, dtype=np.float32)[0], _unit([1, 1, 0]), _unit([0.3, -0.2, 0.9])])
    back = unpack(pack(rows), 3)
    assert back.dtype == np.float32 and back.shape == (3, 3)
    assert np.abs(back - rows).max() < 1e-3  # stored in half precision
    assert pack(None) is None and pack(np.zeros((0, 3))) is None
    with pytest.raises(ValueError, match="not rows"):
        unpack(b"\x00" * 8, 3)
