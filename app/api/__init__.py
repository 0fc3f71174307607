"""The HTTP API: OpenAI-compatible under /v1, Yizhi's own under /api/v1 (FastAPI, uvicorn).

    server.py         create_app(services): the app factory (and `Mounted`: apps served beside it, as MCP at /mcp)
    openai_routes.py  /v1/models, /v1/chat/completions (SSE streaming), /v1/embeddings
    native_routes.py  /api/v1: knowledge bases, documents, uploads as jobs, search, ask
    gate.py           one generation at a time behind a bounded queue (429/503 when busy)
    jobs.py           long uploads and re-indexing as jobs with per-file progress
    auth.py           API keys (YIZHI_API_KEY) and the loopback-only rule without one
    errors.py         every error in OpenAI's shape
    serve_cli.py      `python -m app serve` (make api), run through app.serving, which adds MCP at /mcp

Like the UI and the CLI, it talks only to the services (app.services).
"""
