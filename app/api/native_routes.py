"""Yizhi's own endpoints under /api/v1: knowledge bases, documents, uploads as jobs, search
and ask, with the JSON shapes of `python -m app search --json` and `ask --json`."""
from __future__ import annotations

import asyncio
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.api.auth import documented_key
from app.api.deps import collect, gate_of, generation_overrides, jobs_of, services_of
from app.api.errors import ApiError, not_found
from app.api.gate import answered
from app.api.jobs import Job
from app.api.schemas import AskRequest, CreateKnowledgeBase, RenameKnowledgeBase, SearchRequest
from app.services import Services
from app.services.limits import check_upload_count, knowledge_base_list
from app.services.upload_indexing import index_upload
from core.types import FileOutcome

MB = 1024 * 1024
router = APIRouter(prefix="/api/v1", tags=["Yizhi"], dependencies=[documented_key])


def _existing(services: Services, name: str) -> str:
    if not services.knowledge.exists(name):
        raise not_found("knowledge base", name, openai=False)
    return name


def _summary(services: Services, name: str) -> dict[str, Any]:
    return {"name": name, "documents": len(services.knowledge.documents(name)),
            "chunks": services.knowledge.chunk_count(name)}


@router.get("/knowledge_bases", summary="The knowledge bases, with document and chunk counts")
async def list_knowledge_bases(request: Request) -> dict[str, Any]:
    services = services_of(request)

    def summaries() -> list[dict[str, Any]]:
        return [_summary(services, name) for name in services.knowledge.list_knowledge_bases()]
    return {"knowledge_bases": await run_in_threadpool(summaries)}


@router.post("/knowledge_bases", status_code=201, summary="Create an empty knowledge base")
async def create_knowledge_base(body: CreateKnowledgeBase, request: Request) -> dict[str, Any]:
    services = services_of(request)
    name = body.name.strip()
    if services.knowledge.exists(name):
        raise ApiError(409, f"knowledge base '{name}' already exists: pick another name", code="already_exists",
                       param="name")
    name = await run_in_threadpool(services.knowledge.create_knowledge_base, name)
    return await run_in_threadpool(_summary, services, name)


@router.get("/knowledge_bases/{kb}", summary="One knowledge base")
async def get_knowledge_base(kb: str, request: Request) -> dict[str, Any]:
    services = services_of(request)
    return await run_in_threadpool(_summary, services, _existing(services, kb))


@router.patch("/knowledge_bases/{kb}", summary="Rename a knowledge base",
              description="Its index, uploaded files and dictionary move to the new name (nothing is re-embedded) "
                          "and saved conversations follow. 404 when there is no such knowledge base, 409 when the "
                          "new name is taken, 400 when it is not a valid name, 503 while it is being written.")
async def rename_knowledge_base(kb: str, body: RenameKnowledgeBase, request: Request) -> dict[str, Any]:
    services = services_of(request)
    _existing(services, kb)
    name = body.name.strip()
    if name != kb and services.knowledge.exists(name):
        raise ApiError(409, f"knowledge base '{name}' already exists: pick another name", code="already_exists",
                       param="name")
    name = await run_in_threadpool(services.knowledge.rename_knowledge_base, kb, name)
    return {**await run_in_threadpool(_summary, services, name), "renamed_from": kb}


@router.delete("/knowledge_bases/{kb}", summary="Delete a knowledge base with its index and uploaded files")
async def delete_knowledge_base(kb: str, request: Request) -> dict[str, Any]:
    services = services_of(request)
    await run_in_threadpool(services.knowledge.delete_knowledge_base, _existing(services, kb))
    return {"deleted": kb}


@router.get("/knowledge_bases/{kb}/documents", summary="The documents of a knowledge base")
async def list_documents(kb: str, request: Request) -> dict[str, Any]:
    services = services_of(request)
    records = await run_in_threadpool(services.knowledge.documents, _existing(services, kb))
    return {"documents": [asdict(r) for r in records]}


@router.delete("/knowledge_bases/{kb}/documents/{doc_id}",
               summary="Remove a document from the index (and its file, if it was uploaded)")
async def delete_document(kb: str, doc_id: int, request: Request) -> dict[str, Any]:
    services = services_of(request)
    records = await run_in_threadpool(services.knowledge.documents, _existing(services, kb))
    record = next((r for r in records if r.doc_id == doc_id), None)
    if record is None:
        raise ApiError(404, f"knowledge base '{kb}' has no document {doc_id}", code="document_not_found")
    await run_in_threadpool(services.knowledge.delete_document, kb, record.path)
    return {"deleted": doc_id, "path": record.path}


async def _respond(job: Job, future, wait: bool) -> JSONResponse:
    if wait:
        await asyncio.wrap_future(future)
    headers = {"Location": f"/api/v1/jobs/{job.id}"}
    return JSONResponse(job.to_dict(), status_code=200 if wait else 202, headers=headers)


@router.post("/knowledge_bases/{kb}/documents", status_code=202, response_class=JSONResponse,
             summary="Upload files (multipart field `files`, repeatable) and index them as a job",
             description="Each file gets an outcome: indexed, skipped (unchanged or a duplicate) or failed with "
                         "the reason (type, size over YIZHI_MAX_FILE_MB, unreadable). Returns the job at once "
                         "(202, poll `GET /api/v1/jobs/{id}`), or when done with `?wait=true` (200).")
async def upload_documents(kb: str, request: Request, files: list[UploadFile] = File(...),
                           replace: bool = Form(False, description="replace a different file of the same name "
                                                                   "instead of saving it as 'name (2)'"),
                           wait: bool = Query(False, description="answer when the job is done")) -> JSONResponse:
    services = services_of(request)
    _existing(services, kb)
    check_upload_count(services.settings, len(files))
    uploads = [(f.filename or "upload", await f.read()) for f in files]

    def work(job: Job) -> None:
        while uploads:
            name, data = uploads.pop(0)
            job.start(name)
            job.add(index_upload(services.knowledge, kb, name, data, replace=replace).to_dict())

    job, future = jobs_of(request).submit("upload", kb, len(uploads), work)
    return await _respond(job, future, wait)


def _outcome(outcome: FileOutcome) -> dict[str, Any]:
    return {"name": outcome.path, "status": str(outcome.status), "note": outcome.reason, "chunks": outcome.chunks}


@router.post("/knowledge_bases/{kb}/reindex", status_code=202, response_class=JSONResponse,
             summary="Read every document's file again, as a job (drops documents whose files are gone)")
async def reindex(kb: str, request: Request, wait: bool = Query(False)) -> JSONResponse:
    services = services_of(request)
    total = len(await run_in_threadpool(services.knowledge.documents, _existing(services, kb)))

    def work(job: Job) -> None:
        summary = services.knowledge.reindex(kb, on_file=lambda o: job.add(_outcome(o)))
        for outcome in summary.outcomes:
            if outcome.status == "removed":
                job.add(_outcome(outcome))

    job, future = jobs_of(request).submit("reindex", kb, total, work)
    return await _respond(job, future, wait)


@router.get("/jobs/{job_id}", summary="A job's state and per-file progress")
async def get_job(job_id: str, request: Request) -> dict[str, Any]:
    job = jobs_of(request).get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id} (jobs are kept in memory until the server restarts)",
                       code="job_not_found")
    return job.to_dict()


@router.post("/search", summary="Retrieval only: the `search --json` shape")
async def search(body: SearchRequest, request: Request) -> dict[str, Any]:
    services = services_of(request)
    kbs = knowledge_base_list(services.settings, body.knowledge_bases)
    results = await run_in_threadpool(services.answers.search, body.query, kbs, body.k)
    return {"results": [r.to_dict() for r in results]}


@router.post("/ask", summary="Answer with sources: the `ask --json` shape")
async def ask(body: AskRequest, request: Request) -> dict[str, Any]:
    services = services_of(request)
    kbs = knowledge_base_list(services.settings, body.knowledge_bases)
    for name in kbs:
        _existing(services, name)
    if not body.question.strip():
        raise ApiError(400, "the question is empty: type a question", param="question")
    overrides = generation_overrides(services, body.temperature, body.max_tokens)
    history = body.history_dicts()

    prepared = await run_in_threadpool(services.answers.prepare, body.question, kbs, history,
                                       overrides=overrides)
    _, answer = await collect(answered(request, gate_of(request), prepared))
    if answer is None:
        raise ApiError(500, "the answer ended without a result", type="server_error", code="internal_error")
    return answer.to_dict()
