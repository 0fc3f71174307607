"""The project's own exceptions, and `is_disk_full`, which tells the OS's and SQLite's full-disk errors.

A message says what is wrong in words a user understands, and no more: each interface
adds its own how-to (the CLI's `--password` and `YIZHI_…` variables, the UI's password
field and its own words), keyed by `code`, which is also what a failed file's outcome
records, and by `setting`, the setting that governs the limit or choice the error is
about (`max_file_mb`, `llm_model`, …; "" when none does). Lives in `core` so every layer
can raise them.
"""
import errno
import sqlite3

from core.enums import EmbedBackend, LinkProblem


class YizhiError(Exception):
    """Base of every error Yizhi raises on purpose."""

    code = "error"

    def __init__(self, message: str = "", *, setting: str = "") -> None:
        super().__init__(message)
        self.setting = setting


class ConfigError(YizhiError):
    """A setting or argument is invalid; `field` names it when it is one field of a config."""

    def __init__(self, message: str, field: str = "", *, setting: str = "") -> None:
        super().__init__(message, setting=setting)
        self.field = field


class FolderNotLinkable(ConfigError):
    """A folder that cannot be linked to a knowledge base; `problem` says why, and the code is `link_<problem>` so that each interface can say it in its words."""

    def __init__(self, message: str, problem: LinkProblem) -> None:
        super().__init__(message, "folder")
        self.problem = problem
        self.code = f"link_{problem}"


class KnowledgeBaseNotFound(YizhiError):
    code = "kb_not_found"

    def __init__(self, name: str) -> None:
        super().__init__(f"knowledge base '{name}' does not exist")
        self.name = name


class PassageNotFound(YizhiError):
    """No passage (chunk) of that id in the knowledge base: it was never there, or its
    document was updated or removed since it was found (ids are never reused)."""

    code = "passage_not_found"

    def __init__(self, kb_name: str, chunk_id: int) -> None:
        super().__init__(f"knowledge base '{kb_name}' has no passage {chunk_id}: its document may have been "
                         "updated or removed since it was found; search again")
        self.kb_name, self.chunk_id = kb_name, chunk_id


class EmbedderMismatch(YizhiError):
    """The knowledge base was built with another embedding model."""


class EmbedBackendMismatch(EmbedderMismatch):
    """The knowledge base was built with the same embedding model run by another backend
    (YIZHI_EMBED_BACKEND): int8 weights give other vectors, so the two are never mixed."""

    code = "embed_backend_mismatch"

    def __init__(self, kb_name: str, model: str, recorded: EmbedBackend, configured: EmbedBackend) -> None:
        super().__init__(f"knowledge base '{kb_name}' was built with '{model}' run by the {recorded} backend, but "
                         f"YIZHI_EMBED_BACKEND is {configured}: its vectors are not mixed with another backend's",
                         setting="embed_backend")
        self.kb_name, self.model, self.recorded, self.configured = kb_name, model, recorded, configured


class ModelLoadError(YizhiError):
    """An embedding model or LLM could not be found or loaded."""


class LlmUnavailable(ModelLoadError):
    """The chat server that answers (YIZHI_LLM_URL) could not be reached, did not answer in
    time, refused the request (a wrong key, an unknown model) or sent something that is not
    an answer stream. Nothing falls back to the in-process model: the user chose the server."""

    code = "llm_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message, setting="llm_url")


class LoaderError(YizhiError):
    """A file could not be turned into documents; the message says why."""

    code = "unreadable"


class UnsupportedFile(LoaderError):
    code = "unsupported"


class OldFormatFile(UnsupportedFile):
    """A file in an old binary Office format (.doc, .xls, .ppt, WPS's .wps, .et, .dps), which
    Yizhi does not read; its newer format (.docx, .xlsx, .pptx) it does. One code per newer
    format, so that each interface can say which one to save it in."""

    code = "old_format"


class OldWordFile(OldFormatFile):
    code = "old_doc"


class OldExcelFile(OldFormatFile):
    code = "old_xls"


class OldPowerPointFile(OldFormatFile):
    code = "old_ppt"


class EncryptedFile(LoaderError):
    code = "encrypted"


class WrongPassword(EncryptedFile):
    code = "wrong_password"


class KnowledgeBaseBusy(YizhiError):
    """Another writer holds the knowledge base."""


class LlmBusy(YizhiError):
    """The LLM is generating other answers and no place to wait was free (or the wait was too long)."""

    code = "llm_busy"


class VectorStoreUnavailable(YizhiError):
    """The vector store that holds a knowledge base's vectors (a Milvus server) could not be
    reached, did not answer in time, or refused a request. Nothing is lost: the catalogue is
    the truth, and the store is brought level with it once it is back."""

    code = "vector_store_unavailable"


class WorkerError(YizhiError):
    """A helper process of the ingestion stopped or answered nonsense."""


class InputTooLarge(ConfigError):
    """A question, a list or a text is longer than its setting allows (`setting` names it)."""

    code = "too_long"


class UnusableText(ConfigError):
    """A text holds characters no file, database or terminal can take (lone surrogates,
    control characters)."""

    code = "bad_text"


class DiskFull(YizhiError):
    """The disk (or the file-size limit of this process) left no room to write."""

    code = "disk_full"


def is_disk_full(exc: BaseException) -> bool:
    """True for the ways a full disk shows: ENOSPC, EDQUOT or EFBIG (a file-size limit) from
    the OS, SQLITE_FULL from SQLite ("database or disk is full")."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(exc)
    return False
