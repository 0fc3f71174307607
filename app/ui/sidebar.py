"""The sidebar: answering settings for this browser session, and the models in use."""
from __future__ import annotations

from typing import Any

import streamlit as st

from app.services import Services
from app.ui.textmark import md_escape

TOP_K, THRESHOLD, TEMPERATURE, MAX_TOKENS = "opt_top_k", "opt_threshold", "opt_temperature", "opt_max_tokens"
KEYS = (TOP_K, THRESHOLD, TEMPERATURE, MAX_TOKENS)
MAX_TOP_K = 20
MAX_NEW_TOKENS = 1024


def _reset() -> None:
    for key in KEYS:
        st.session_state.pop(key, None)


def render(services: Services) -> None:
    s = services.settings
    with st.sidebar:
        st.subheader(":material/tune: 设置 Settings")
        st.caption("只对当前会话有效 / for this session only")
        st.slider("检索段落数 Passages (top-k)", 1, MAX_TOP_K, min(s.top_k, MAX_TOP_K), key=TOP_K,
                  help="每个问题检索多少个段落 / how many passages each question retrieves")
        low = min(0.0, float(s.score_threshold))  # relevance is 0..1; older settings allowed -1..1
        st.slider("相关度阈值 Relevance threshold", low, 1.0, float(s.score_threshold), 0.05, key=THRESHOLD,
                  help="低于阈值的段落被丢弃；没有段落通过时拒绝回答 / passages below it are dropped; "
                       "with none left Yizhi refuses")
        st.slider("温度 Temperature", 0.0, 2.0, float(s.llm_temperature), 0.05, key=TEMPERATURE,
                  help="越低越稳定；0 为每次相同 / lower is steadier; 0 gives the same answer every time")
        limit = max(16, min(MAX_NEW_TOKENS, s.llm_n_ctx // 2))
        st.slider("最大生成长度 Max new tokens", 16, limit, max(16, min(s.llm_max_tokens, limit)), 8,
                  key=MAX_TOKENS, help="回答最多生成的词元数 / the longest answer, in tokens")
        st.button("恢复默认 Reset", on_click=_reset, width="stretch")

        st.divider()
        st.subheader(":material/memory: 模型 Models")
        models = services.models.describe_models()
        st.markdown(f"**嵌入 Embedding**: `{models['embed_model']}`  \n"
                    f"**大模型 LLM**: `{models['llm_model']}`  \n"
                    f"{md_escape(models['llm_description'])}")
        st.caption("更换模型：启动前设置环境变量（或写入 .env）YIZHI_EMBED_MODEL=模型文件夹、"
                   "YIZHI_LLM_MODEL=GGUF 文件路径，然后重启。 / To change models, set YIZHI_EMBED_MODEL "
                   "(a model folder) and YIZHI_LLM_MODEL (a .gguf file) in the environment or .env, and restart. "
                   "A knowledge base keeps the embedding model it was built with.")


def tuning() -> dict[str, Any]:
    """The session's answering settings, as the `overrides` of AnswerService.ask_stream."""
    state = st.session_state
    names = {TOP_K: "top_k", THRESHOLD: "score_threshold", TEMPERATURE: "llm_temperature",
             MAX_TOKENS: "llm_max_tokens"}
    return {name: state[key] for key, name in names.items() if key in state}
