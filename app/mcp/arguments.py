"""The tools' arguments: one pydantic model per tool, whose JSON schema is the tool's
`inputSchema` and whose validation turns a bad argument into a sentence (messages.py).

Unknown arguments are refused (a misspelt `knowledge_base` must not silently search
everything). The texts' lengths are checked by the services against the settings
(`YIZHI_MAX_QUESTION_CHARS`, `YIZHI_MAX_KNOWLEDGE_BASES`), as for every interface.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.mcp.results import PASSAGE_ID_PATTERN
from app.services.knowledge import MAX_RADIUS

KB_HELP = ("names of knowledge bases to use (list_knowledge_bases lists them); omitted: every knowledge base")


class Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @classmethod
    def input_schema(cls) -> dict[str, Any]:
        """The JSON schema a tool declares (without pydantic's titles)."""
        schema = cls.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        return schema


class NoArguments(Arguments):
    pass


class SearchArguments(Arguments):
    query: str = Field(description="what to look for, in Chinese or English (a question or keywords)")
    knowledge_bases: list[str] | None = Field(None, min_length=1, description=KB_HELP)
    k: int | None = Field(None, ge=1, le=100, description="how many passages at most (default: the server's "
                                                          "YIZHI_TOP_K)")


class AskArguments(Arguments):
    question: str = Field(description="the question, in Chinese or English")
    knowledge_bases: list[str] | None = Field(None, min_length=1, description=KB_HELP)


class PassageArguments(Arguments):
    # The pattern documents the form; parse_passage_id checks it, saying what a passage id is.
    passage_id: str = Field(json_schema_extra={"pattern": PASSAGE_ID_PATTERN}, description="a passage id as search or ask returned it "
                                                                   "(knowledge base:number, e.g. 'default:42')")
    radius: int = Field(1, ge=0, le=MAX_RADIUS, description="how many neighbouring passages of the same document "
                                                            "to return on each side")


__all__ = ["Arguments", "AskArguments", "NoArguments", "PassageArguments", "SearchArguments"]
