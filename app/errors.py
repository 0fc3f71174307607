"""The project's own exceptions.

Every message is a sentence a user can act on; the CLI prints it to stderr and exits
non-zero. Lives in `app` (whose package init is empty) so every room can import it
without cycles.
"""


class YizhiError(Exception):
    """Base of every error Yizhi raises on purpose."""


class ConfigError(YizhiError):
    """A setting or argument is invalid."""


class KnowledgeBaseNotFound(YizhiError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"knowledge base '{name}' does not exist yet: run `make ingest KB={name}` "
            f"or `python -m ingest PATH --kb {name}` first"
        )
        self.name = name


class EmbedderMismatch(YizhiError):
    """The knowledge base was built with another embedding model."""


class ModelLoadError(YizhiError):
    """An embedding model or LLM could not be found or loaded."""


class LoaderError(YizhiError):
    """A file could not be turned into documents; the message says why."""


class UnsupportedFile(LoaderError):
    pass


class EncryptedFile(LoaderError):
    pass


class KnowledgeBaseBusy(YizhiError):
    """Another writer holds the knowledge base."""


class WorkerError(YizhiError):
    """A helper process of the ingestion stopped or answered nonsense."""
