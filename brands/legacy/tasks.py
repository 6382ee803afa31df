"""Celery tasks of the legacy import: a whole run (from the admin) and one chunk of a distributed run."""

import logging

from celery import shared_task

from . import distributed
from .engine import ImportRefused, Options, import_bundle, parse_cutover

logger = logging.getLogger(__name__)


@shared_task(name="legacy.import_bundle")
def import_bundle_task(*, bundle: str, dry_run: bool = False, cutover: str | None = None,
                       only: list[str] | None = None, workers: int | None = None) -> dict:
    """Runs `import_legacy` as a task; the ImportRun row shows its progress and result.

    A refused bundle writes nothing (no ImportRun): the refusal is logged and returned.
    """
    try:
        result = import_bundle(Options(
            bundle=bundle, dry_run=dry_run, only=only, workers=workers, progress=False,
            cutover=parse_cutover(cutover, origin="cutover") if cutover else None,
        ))
    except ImportRefused as exc:
        logger.error("legacy import of %s refused, nothing written: %s", bundle, exc)
        return {"refused": str(exc)}
    return {"run": result.run.pk, "exit_code": result.exit_code}


@shared_task(name="legacy.import_chunk", acks_late=True)
def import_chunk(*, run_id: int, entity: str, chunk: int, chunks: int, root: str, cpu_workers: int | None) -> None:
    """One chunk of one entity of a distributed run (brands/legacy/distributed.py); resumes at its checkpoint."""
    distributed.run_chunk(run_id=run_id, entity=entity, chunk=chunk, chunks=chunks, root=root,
                          cpu_workers=cpu_workers)
