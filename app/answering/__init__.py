"""Answering: from a question and the retrieved passages to the `Answer` a user reads.

    flow       retrieve (no LLM: chit-chat, search, refusal, evidence) and generate (the LLM)
    followups  what to search for when a question leans on the one before it
    passages   the retrieved chunks as the prompt and the user see them
    compose    the model's draft or the documents' own sentences, each sentence checked
    evidence/  the sentences that answer, and whether an answer's sentence is supported
    codec      an `Answer` as JSON and back (saved conversations)
    config     `AnswerConfig`, built by app.settings
    types      `Answer`, `Citation`, `Evidence`, `SentenceSupport`
"""
