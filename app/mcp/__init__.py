"""The MCP server: Yizhi's knowledge bases as tools and resources for desktop assistants
(Claude Desktop, Cherry Studio, …) over the Model Context Protocol.

    arguments.py   the tools' arguments (pydantic models: their JSON schemas, their validation)
    results.py     what the tools return (dataclasses), and passage ids
    messages.py    errors as sentences in the user's language (isError tool results)
    tools.py       the tools themselves, over the services only
    server.py      the MCP server: tools, resources (a knowledge base's documents), error handling
    stdio_cli.py   `python -m app mcp`: the server over stdio (what desktop assistants launch)
    http.py        the Streamable HTTP transport, which the HTTP API serves at /mcp

Like app.api it knows the services and nothing below them (an import-linter contract).
"""
