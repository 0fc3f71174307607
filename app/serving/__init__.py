"""Where the HTTP API and the MCP server meet (the interfaces do not import each other):

    cli.py   `python -m app serve` (light to import, so `python -m app --help` stays instant)
    web.py   create_server_app(services): the API with MCP's Streamable HTTP at /mcp
    ui_launcher.py   `make run`: the Streamlit app (app/ui), warmed up, on loopback unless told
"""
