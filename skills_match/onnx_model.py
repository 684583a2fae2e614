"""The embedding model exported to ONNX and run with onnxruntime: same vectors, no PyTorch.

:func:`export` turns the bundled sentence-transformers model into one ``.onnx`` file (the
transformer only: token ids in, token vectors out) and checks that it gives the same
vectors as sentence-transformers before putting it in place. Only :func:`export` imports
torch, transformers or sentence-transformers; :class:`OnnxEncoder` needs only
``tokenizers``, ``onnxruntime`` and numpy, so a process that embeds through it never loads
PyTorch: it loads in 0.2 s instead of ~4 s, with ~290 MB less memory, and embeds a
phrase 2.7x faster one at a time (1.65x in batches) on one thread.

Next to the model sits a JSON sidecar naming the source weights (SHA-256), the exporter and
the library versions, and how closely the export matched; :func:`export` skips the work when
the file is present and was made from the current weights, and redoes it when they change.

>>> from skills_match.embeddings import model_path
>>> encoder = OnnxEncoder("models/onnx/all-MiniLM-L6-v2.onnx", model_path())  # doctest: +SKIP
>>> encoder.encode(["use spreadsheets software"]).shape  # doctest: +SKIP
(1, 384)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .errors import SkillsMatchError

log = logging.getLogger(__name__)

# Bump when the exported graph or the sidecar changes shape: older exports are then redone.
EXPORT_FORMAT = 1
OPSET = 17
# Texts per batch, and padded tokens per batch (64 phrases, or 16 texts at the 256 limit):
# the fastest measured on a 2-core machine; larger batches only pad more.
BATCH_SIZE = 64
MAX_BATCH_TOKENS = 4096
MIN_COSINE = 0.9999
# Files of the source model that decide the exported graph (weights and architecture).
SOURCE_FILES = ("config.json", "model.safetensors", "pytorch_model.bin")
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT_NAME = "last_hidden_state"

Echo = Callable[[str], None]


class ExportError(SkillsMatchError):
    """The model could not be exported, or the export does not reproduce its vectors."""


def sidecar_path(onnx_path: str | os.PathLike[str]) -> Path:
    """Where the export's metadata lives: ``<model>.onnx.json``."""
    path = Path(onnx_path)
    return path.with_name(path.name + ".json")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_files(model_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The source model's files that the export depends on, by name."""
    folder = Path(model_dir)
    return {name: folder / name for name in SOURCE_FILES if (folder / name).is_file()}


def source_fingerprint(model_dir: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """SHA-256 and size of each source file (what the sidecar records)."""
    return {
        name: {"sha256": _sha256_file(path), "size": path.stat().st_size}
        for name, path in source_files(model_dir).items()
    }


def read_sidecar(onnx_path: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The export's metadata, or None if there is none (or it is unreadable)."""
    try:
        return json.loads(sidecar_path(onnx_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(
    onnx_path: str | os.PathLike[str], model_dir: str | os.PathLike[str], thorough: bool = True
) -> str | None:
    """Why the export at ``onnx_path`` cannot be used as is, or None if it is current.

    ``thorough`` hashes the source weights and the ONNX file (~0.3 s); without it only
    their sizes are compared, cheap enough for every process start.
    """
    path = Path(onnx_path)
    if not path.is_file():
        return f"{path} does not exist"
    meta = read_sidecar(path)
    if meta is None:
        return f"{sidecar_path(path)} is missing or unreadable"
    if meta.get("format") != EXPORT_FORMAT:
        return f"it was made by export format {meta.get('format')}, not {EXPORT_FORMAT}"
    recorded = meta.get("source") or {}
    if thorough:
        if recorded != source_fingerprint(model_dir):
            return f"the source model in {model_dir} has changed since the export"
        if meta.get("onnx_sha256") != _sha256_file(path):
            return f"{path} does not match the checksum in its sidecar"
    else:
        current = {name: p.stat().st_size for name, p in source_files(model_dir).items()}
        if {name: info.get("size") for name, info in recorded.items()} != current:
            return f"the source model in {model_dir} has changed since the export"
        if meta.get("onnx_size") != path.stat().st_size:
            return f"{path} does not match the size in its sidecar"
    return None


def _max_seq_length(model_dir: Path) -> int:
    """The longest input in tokens, as sentence-transformers truncates (256 here)."""
    for name in ("sentence_bert_config.json", "tokenizer_config.json"):
        try:
            config = json.loads((model_dir / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for key in ("max_seq_length", "model_max_length"):
            if isinstance(config.get(key), int):
                return config[key]
    return 512


class _Tokens:
    """The model's tokenizer, read from its ``tokenizer.json`` with ``tokenizers`` alone.

    The same Rust tokenizer sentence-transformers uses, truncating where the model does
    (its ``max_seq_length``). The file itself pads every text to a fixed 128 tokens and
    truncates there; here padding is done per batch, to the batch's longest text.
    """

    def __init__(self, model_dir: str | os.PathLike[str]) -> None:
        from tokenizers import Tokenizer

        self.model_dir = Path(model_dir)
        self.max_seq_length = _max_seq_length(self.model_dir)
        tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        padding = tokenizer.padding or {}
        self.pad_id = int(padding.get("pad_id", 0))
        self.pad_type_id = int(padding.get("pad_type_id", 0))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer = tokenizer

    def tokenize(self, texts: Sequence[str]) -> list[Any]:
        """One encoding per text (sentence-transformers strips each text first; so do we).

        One text at a time on the calling thread: ``encode_batch`` would start a thread
        per core (and warn after gunicorn forks) to save ~2 ms per 100 phrases.
        """
        return [self.tokenizer.encode(str(t).strip()) for t in texts]

    def arrays(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The model's inputs for these texts as one batch, padded to the longest."""
        return self._arrays(self.tokenize(texts))

    def _arrays(self, batch: list[Any]) -> dict[str, np.ndarray]:
        width = max(len(e.ids) for e in batch)
        ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        types = np.full((len(batch), width), self.pad_type_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, e in enumerate(batch):
            n = len(e.ids)
            ids[row, :n] = e.ids
            types[row, :n] = e.type_ids
            mask[row, :n] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


class OnnxEncoder(_Tokens):
    """Sentence vectors from the exported model: tokenise, run, mean-pool, L2-normalise.

    Texts are sorted by length and run in batches of up to ``batch_size`` texts (and
    ``MAX_BATCH_TOKENS`` padded tokens), each padded only to its own longest text (less
    padding, less work), then put back in the caller's order.

    ``threads`` is onnxruntime's intra-op thread count. The default of 1 is deliberate: the
    service runs one gunicorn worker per core (``SKILLS_MATCH_WORKERS``), each embedding its
    own requests' few phrases, so a second thread per worker would only compete for the
    same cores; a session with one thread also starts no thread pool, so it is safe to
    create before gunicorn forks. Sessions with more threads are re-created in a forked
    child (a thread pool does not survive a fork).
    """

    def __init__(
        self,
        onnx_path: str | os.PathLike[str],
        model_dir: str | os.PathLike[str],
        threads: int = 1,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        super().__init__(model_dir)
        self.onnx_path = str(onnx_path)
        self.threads = max(1, int(threads))
        self.batch_size = max(1, int(batch_size))
        self._lock = threading.Lock()
        self._session = self._new_session()
        self._pid = os.getpid()
        self._inherited: list[Any] = []
        self.input_names = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def _new_session(self) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        return ort.InferenceSession(
            self.onnx_path, sess_options=options, providers=["CPUExecutionProvider"]
        )

    def _session_here(self) -> Any:
        """This process's session: one with a thread pool is re-created after a fork."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    if self.threads > 1:
                        # Never destroyed: tearing down a pool copied from the parent can
                        # crash (its threads belong to the parent process).
                        self._inherited.append(self._session)
                        self._session = self._new_session()
                    self._pid = os.getpid()
        return self._session

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int | None = None,
        show_progress: bool = False,
    ) -> np.ndarray:
        """Normalised float32 vectors, one row per text, in the order given."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        size = max(1, batch_size or self.batch_size)
        encodings = self.tokenize(texts)
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        session = self._session_here()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        batches: Any = _batches(order, [len(e.ids) for e in encodings], size, MAX_BATCH_TOKENS)
        if show_progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, desc="Batches", unit="batch")
        for rows in batches:
            out[rows] = self._run(session, [encodings[i] for i in rows])
        return out

    def _run(self, session: Any, batch: list[Any]) -> np.ndarray:
        arrays = self._arrays(batch)
        feed = {name: value for name, value in arrays.items() if name in self.input_names}
        hidden = session.run([OUTPUT_NAME], feed)[0]
        return pool_and_normalise(hidden, arrays["attention_mask"])


def _batches(order: list[int], lengths: list[int], rows: int, tokens: int) -> list[list[int]]:
    """Consecutive runs of ``order`` (sorted by length) of at most ``rows`` texts whose
    padded size (texts x longest) stays within ``tokens``: one long text does not make a
    batch of short ones pad to its length, and a batch of long texts is smaller."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        if current and (len(current) >= rows or (len(current) + 1) * lengths[i] > tokens):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def pool_and_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors the mask keeps, scaled to unit length (float32)."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)


# Varied enough to exercise every path: one letter, short skill phrases, sentences of many
# lengths (so batches pad), punctuation, digits, accents, other scripts and emoji, and texts
# past the 256-token limit (truncation).
_LONG = (
    "Our team maintains the data platform that supports every service in the region. "
    "You will build pipelines in Python and SQL, look after dashboards in Power BI, "
    "review pull requests, write documentation and help colleagues learn new tools. "
)
VERIFY_TEXTS: tuple[str, ...] = (
    "a",
    "x",
    "",
    "   padded with spaces   ",
    "Excel",
    "use spreadsheets software",
    "Python",
    "SQL",
    "cyber security",
    "cloud computing",
    "machine learning",
    "use online communication tools",
    "manage digital identity",
    "develop websites with HTML, CSS and JavaScript",
    "data analysis and visualisation in Power BI",
    "Microsoft Office 365 (Word, Excel, Outlook)",
    "C++ / C# / .NET",
    "ISO 27001 & GDPR compliance",
    "AWS EC2, S3; Azure DevOps pipelines",
    "touch typing at 40 wpm",
    "123 456 7890",
    "!!!???",
    "Café résumé naïve coöperate façade",
    "Straße, Größe, Übung",
    "日本語のテキスト処理",
    "中文 数据 分析",
    "Русский язык и программирование",
    "العربية",
    "emoji 😀🚀 support",
    "tab\tseparated\ttext",
    "line one\nline two",
    "Confident with MS Excel and able to build pivot tables",
    "Experience with Python, pandas and scikit-learn for predictive modelling",
    "The candidate will support customers by phone, email and live chat.",
    "Knowledge of networking: TCP/IP, DNS, DHCP and VPN configuration.",
    "Able to use a smartphone to book appointments and pay bills online.",
    "We are looking for a junior developer who is keen to learn React and Node.js.",
    "Apply basic programming skills to automate repetitive office tasks",
    "Strong communication skills, teamwork and attention to detail are essential for this "
    "role, alongside a willingness to learn new digital systems quickly.",
    "Manage the school's Google Workspace accounts, Chromebooks and safeguarding filters.",
    "Design, build and test data pipelines on Azure Data Factory and Databricks, and "
    "present the findings to non-technical stakeholders in clear dashboards.",
    "ESSENTIAL DIGITAL SKILLS QUALIFICATION ENTRY LEVEL 3",
    "essential digital skills qualification entry level 3",
    "Level 2 Certificate in Digital Skills for Work (RQF)",
    "nurse using electronic patient records",
    "accountant with Xero and Sage experience",
    "warehouse operative using handheld scanners",
    _LONG,
    _LONG * 4,
    " ".join(f"word{i}" for i in range(300)),
)


def _exporter_run(wrapper: Any, example: tuple[Any, ...], names: list[str], path: Path) -> str:
    """Export with the TorchScript exporter if this torch still has it, else torch.export."""
    import warnings

    import torch

    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, OUTPUT_NAME]}
    try:
        with warnings.catch_warnings():
            # It warns that it is deprecated, and about shapes it traces as constants
            # (checked by the verification that follows).
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper,
                example,
                str(path),
                input_names=names,
                output_names=[OUTPUT_NAME],
                dynamic_axes=axes,
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        return "torchscript"
    except (TypeError, NotImplementedError, RuntimeError, AttributeError) as exc:
        log.info("TorchScript ONNX export unavailable (%s); using torch.export", exc)
    batch = torch.export.Dim("batch")
    sequence = torch.export.Dim("sequence", max=512)
    torch.onnx.export(
        wrapper,
        example,
        str(path),
        input_names=names,
        output_names=[OUTPUT_NAME],
        dynamic_shapes=tuple({0: batch, 1: sequence} for _ in names),
        opset_version=max(OPSET, 18),
        dynamo=True,
        external_data=False,
    )
    return "dynamo"


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def export(
    model_dir: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    force: bool = False,
    echo: Echo | None = None,
    verify_texts: Sequence[str] = VERIFY_TEXTS,
) -> dict[str, Any]:
    """Export the model at ``model_dir`` to ``out_path`` unless a current export is there.

    Returns the sidecar's metadata with ``exported`` (False when skipped) and, when it
    ran, ``seconds``. The file is written next to its destination under a temporary name,
    checked against sentence-transformers on ``verify_texts`` (every cosine at least
    0.9999) and only then renamed into place, so a reader never sees a partial or an
    unchecked model. Raises :class:`ExportError` if the check fails (nothing is replaced).
    """
    say = echo or (lambda _message: None)
    model_dir = Path(model_dir)
    out = Path(out_path)
    if not force:
        reason = stale_reason(out, model_dir)
        if reason is None:
            say(f"ONNX model {out} is current (made from the installed weights).")
            return {**(read_sidecar(out) or {}), "exported": False}
        say(f"Exporting the embedding model to ONNX: {reason}.")
    started = time.perf_counter()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import inspect

        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ExportError(f"Exporting needs PyTorch and sentence-transformers: {exc}") from exc

    say(f"Loading {model_dir} with PyTorch...")
    model = SentenceTransformer(str(model_dir), device="cpu")
    transformer = model[0].auto_model.eval()
    accepted = inspect.signature(transformer.forward).parameters
    names = [name for name in INPUT_NAMES if name in accepted]

    class Wrapper(torch.nn.Module):
        """The transformer with positional inputs, returning only the token vectors."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: Any) -> Any:
            return self.inner(**dict(zip(names, inputs, strict=True))).last_hidden_state

    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    meta_tmp = tmp.with_name(tmp.name + ".json")
    try:
        # Two texts of different lengths, so the traced graph is the one that pads.
        arrays = _Tokens(model_dir).arrays(["use spreadsheets software", "a"])
        example = tuple(torch.from_numpy(arrays[name]) for name in names)
        say(f"Exporting ({', '.join(names)}; opset {OPSET}) with torch {torch.__version__}...")
        try:
            with torch.inference_mode():
                exporter = _exporter_run(Wrapper(transformer).eval(), example, names, tmp)
        except Exception as exc:
            raise ExportError(f"torch.onnx.export failed: {exc}") from exc
        say(f"Checking the export against sentence-transformers on {len(verify_texts)} texts...")
        onnx_encoder = OnnxEncoder(tmp, model_dir, threads=1)
        got = onnx_encoder.encode(list(verify_texts))
        want = model.encode(
            list(verify_texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=16
        )
        cosines = (got * want).sum(axis=1)
        worst = float(cosines.min())
        if not np.isfinite(cosines).all() or worst < MIN_COSINE:
            bad = int(np.nanargmin(cosines))
            raise ExportError(
                f"The ONNX export does not reproduce the model: cosine {worst:.6f} "
                f"(< {MIN_COSINE}) on {verify_texts[bad]!r}; nothing was replaced."
            )
        meta = {
            "format": EXPORT_FORMAT,
            "source_dir": str(model_dir),
            "source": source_fingerprint(model_dir),
            "onnx_sha256": _sha256_file(tmp),
            "onnx_size": tmp.stat().st_size,
            "exporter": exporter,
            "opset": OPSET if exporter == "torchscript" else max(OPSET, 18),
            "inputs": names,
            "max_seq_length": onnx_encoder.max_seq_length,
            "versions": _versions(),
            "verification": {
                "texts": len(verify_texts),
                "min_cosine": round(worst, 7),
                "max_abs_diff": float(np.abs(got - want).max()),
            },
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        meta_tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        del onnx_encoder
        # The model first, then its sidecar: a crash between leaves a sidecar whose
        # checksum does not match, and the next run exports again.
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a model is not a secret
        os.replace(tmp, out)
        os.replace(meta_tmp, sidecar_path(out))
    finally:
        tmp.unlink(missing_ok=True)
        meta_tmp.unlink(missing_ok=True)
    seconds = round(time.perf_counter() - started, 1)
    say(
        f"Wrote {out} ({out.stat().st_size / 1e6:.0f} MB; {exporter} exporter; "
        f"lowest cosine {worst:.6f}) in {seconds:.1f} s."
    )
    return {**meta, "exported": True, "seconds": seconds}
