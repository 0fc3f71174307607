"""Messages of the retrieval test page (命中测试)."""

MESSAGES: dict[str, dict[str, str]] = {
    "rt.title": {"zh": "命中测试", "en": "Retrieval test"},
    "rt.intro": {"zh": "看看一个问题能检索到哪些段落、各自的排名和相关度，以及阈值会留下哪些段落交给模型。这里不调用模型。",
                 "en": "See which passages a question retrieves, their ranks and relevance, and which ones the "
                       "threshold lets through to the model. No model is asked here."},
    "rt.question": {"zh": "问题", "en": "Question"},
    "rt.question_placeholder": {"zh": "例如：扫描版 PDF 能用吗？", "en": "e.g. Do scanned PDFs work?"},
    "rt.search": {"zh": "检索", "en": "Search"},
    "rt.searching": {"zh": "正在检索…", "en": "Searching…"},
    "rt.failed": {"zh": "检索失败", "en": "Search failed"},
    "rt.results_for": {"zh": "「{question}」的 {n} 个候选段落：", "en": "{n} candidate passage(s) for “{question}”:"},
    "rt.nothing": {"zh": "没有找到任何候选段落（知识库是空的吗？）。", "en": "No candidate passage at all (is the knowledge "
                                                                "base empty?)."},
    "rt.threshold": {"zh": "相关度阈值（只在本页试用）", "en": "Relevance threshold (tried on this page only)"},
    "rt.threshold_help": {"zh": "相关度达到阈值的段落才会交给模型；一个都没有时，问答会直接拒绝回答。",
                          "en": "Only passages at or above it reach the model; with none, the chat refuses to "
                                "answer."},
    "rt.would_answer": {"zh": "阈值 {threshold}：{total} 个候选中有 {passed} 个达到阈值，其中 {n} 个会交给模型（最多 {k} 个）。",
                        "en": "Threshold {threshold}: {passed} of {total} candidates pass, and {n} of them reach the "
                              "model (at most {k})."},
    "rt.would_refuse": {"zh": "阈值 {threshold}：没有段落达到阈值，问答会拒绝回答（最高相关度 {best}，低于阈值 {threshold}）。",
                        "en": "Threshold {threshold}: no passage passes, so the chat would refuse (the best relevance, "
                              "{best}, is below {threshold})."},
    "rt.chat_threshold": {"zh": "问答当前使用的阈值：{value}", "en": "The chat's threshold now: {value}"},
    "rt.apply": {"zh": "在问答中使用这个阈值", "en": "Use this threshold in the chat"},
    "rt.applied": {"zh": "问答的相关度阈值已设为 {value}（本会话）", "en": "The chat's relevance threshold is now {value} "
                                                                 "(this session)"},
    "rt.legend": {"zh": "红色虚线是阈值。绿色：交给模型；蓝色：达到阈值但超出检索段落数；橙色：与前面某个段落文字相同，"
                        "合并到那一条里（不占名额）；灰色：低于阈值。",
                  "en": "The dashed red line is the threshold. Green: reaches the model; blue: passes but beyond "
                        "top-k; orange: the same text as a passage above, merged into it (takes no slot); "
                        "grey: below the threshold."},
    "rt.to_model": {"zh": "交给模型", "en": "reaches the model"},
    "rt.passed": {"zh": "达到阈值（超出段落数）", "en": "passes (beyond top-k)"},
    "rt.merged": {"zh": "与前面的段落相同（合并）", "en": "same text as a passage above (merged)"},
    "rt.below": {"zh": "低于阈值", "en": "below the threshold"},
    "rt.col_rank": {"zh": "排名", "en": "Rank"},
    "rt.col_file": {"zh": "文件", "en": "File"},
    "rt.col_page": {"zh": "页", "en": "Page"},
    "rt.col_relevance": {"zh": "相关度", "en": "Relevance"},
    "rt.col_vector": {"zh": "向量排名", "en": "Vector rank"},
    "rt.col_bm25": {"zh": "BM25 排名", "en": "BM25 rank"},
    "rt.col_score": {"zh": "融合分数", "en": "Fused score"},
    "rt.col_verdict": {"zh": "结果", "en": "Outcome"},
    "rt.chart_label": {"zh": "各候选段落的相关度与阈值", "en": "Each candidate passage's relevance and the threshold"},
    "rt.relevance_help": {"zh": "0–1：问题的关键词出现在段落中的比例，结合语义相似度；与阈值比较。",
                          "en": "0–1: the share of the question's key words in the passage, with meaning similarity; "
                                "compared with the threshold."},
    "rt.vector_help": {"zh": "按语义相似度（向量检索）的排名；— 表示不在向量检索的结果里。",
                       "en": "Rank by meaning similarity (vector search); — when vector search did not return it."},
    "rt.bm25_help": {"zh": "按关键词匹配（BM25）的排名；— 表示没有匹配的词。",
                     "en": "Rank by key-word match (BM25); — when no word matched."},
    "rt.score_help": {"zh": "两种排名融合（RRF）后的分数，决定候选的先后顺序。",
                      "en": "The score of both ranks fused (RRF): it orders the candidates."},
    "rt.read": {"zh": "阅读段落", "en": "Read a passage"},
    "rt.heading": {"zh": "所在章节：{heading}", "en": "Section: {heading}"},
}
