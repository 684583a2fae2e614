"""The ONNX export of the embedding model: same vectors as sentence-transformers, no torch.

The model is exported once per session into a temporary folder (~15 s), and compared with
sentence-transformers loaded directly (the session's ``encoder`` may itself be the ONNX one).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from skills_match import embeddings
from skills_match.embeddings import Encoder, model_path
from skills_match.onnx_model import (
    MAX_BATCH_TOKENS,
    OnnxEncoder,
    export,
    read_sidecar,
    sidecar_path,
    stale_reason,
)

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers")

LONG = " ".join(
    f"{word}{i}" for i, word in enumerate(["data", "analysis", "spreadsheet", "cloud"] * 75)
)  # 300 words: past the 256-token limit
TEXTS = [
    "a",
    "",
    "Excel",
    "use spreadsheets software",
    "Python (computer programming)",
    "manage digital identity",
    "Confident with MS Excel and able to build pivot tables for the finance team.",
    "We need someone to look after our website, social media and online bookings.",
    "Café résumé naïve, Straße, 日本語, Русский, العربية, emoji 😀",
    "  surrounded by spaces  ",
    LONG,
]


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model exported (and verified) into a temporary folder, once per session."""
    path = tmp_path_factory.mktemp("onnx") / "all-MiniLM-L6-v2.onnx"
    result = export(model_path(), path)
    assert result["exported"] is True
    return path


@pytest.fixture(scope="session")
def sentence_transformer():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path(), device="cpu")


@pytest.fixture(scope="session")
def onnx_encoder(exported: Path) -> OnnxEncoder:
    return OnnxEncoder(exported, model_path())


def reference(model, texts: list[str]) -> np.ndarray:
    return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)


def test_vectors_match_sentence_transformers(onnx_encoder, sentence_transformer):
    got = onnx_encoder.encode(TEXTS)
    want = reference(sentence_transformer, TEXTS)
    assert got.dtype == np.float32 and got.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cosines = (got * want).sum(axis=1)
    assert cosines.min() >= 0.9999, dict(zip(TEXTS, cosines.round(6), strict=True))


def test_tokens_are_the_ones_sentence_transformers_feeds_the_model(
    onnx_encoder, sentence_transformer
):
    tokenizer = sentence_transformer.tokenizer
    for text in TEXTS:
        want = tokenizer(text.strip(), truncation=True, max_length=256)["input_ids"]
        assert onnx_encoder.tokenize([text])[0].ids == want, text
    assert len(onnx_encoder.tokenize([LONG])[0].ids) == onnx_encoder.max_seq_length == 256


def test_order_is_kept_across_sorted_batches(onnx_encoder):
    # More texts than a batch, of very different lengths, in an order sorting will change.
    texts = [LONG if i % 7 == 0 else f"skill phrase number {i} " * (i % 5 + 1) for i in range(150)]
    together = onnx_encoder.encode(texts)
    one_by_one = np.stack([onnx_encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, one_by_one, atol=1e-5)
    assert np.allclose(onnx_encoder.encode(texts, batch_size=3), together, atol=1e-5)


def test_batches_stay_within_the_token_budget(onnx_encoder):
    from skills_match.onnx_model import _batches

    lengths = [3] * 100 + [256] * 40
    batches = _batches(list(range(len(lengths))), lengths, 64, MAX_BATCH_TOKENS)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 64
        assert len(batch) * max(lengths[i] for i in batch) <= MAX_BATCH_TOKENS


def test_empty_input_gives_no_rows(onnx_encoder):
    assert onnx_encoder.encode([]).shape == (0, 384)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **env},
    )


def test_encoding_with_onnx_never_imports_torch(exported):
    code = f"""
import json, sys
from skills_match.onnx_model import OnnxEncoder
from skills_match.embeddings import Encoder, model_path
direct = OnnxEncoder({str(exported)!r}, model_path()).encode(["use spreadsheets software"])
encoder = Encoder()
wrapped = encoder.encode(["use spreadsheets software", "Python"])
print(json.dumps({{"backend": encoder.backend, "shape": list(wrapped.shape),
    "heavy": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""
    result = run_python(code, SKILLS_MATCH_ONNX_MODEL=str(exported))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"backend": "onnx", "shape": [2, 384], "heavy": []}


def test_a_session_with_threads_works_after_a_fork(exported):
    """gunicorn forks after the model loads: a multi-threaded session is made anew."""
    code = f"""
import os, sys, numpy as np
from skills_match.onnx_model import OnnxEncoder
from skills_match.embeddings import model_path
encoder = OnnxEncoder({str(exported)!r}, model_path(), threads=2)
before = encoder.encode(["use spreadsheets software"] * 20)
pid = os.fork()
if pid == 0:
    after = encoder.encode(["use spreadsheets software"] * 20)
    os._exit(0 if np.allclose(before, after, atol=1e-5) else 3)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr


def test_encoder_uses_onnx_when_the_export_exists(exported, sentence_transformer):
    encoder = Encoder(onnx_path=str(exported), threads=1)
    assert not encoder.loaded
    vectors = encoder.encode(TEXTS)
    assert encoder.loaded and encoder.backend == "onnx"
    assert encoder.name == "all-MiniLM-L6-v2"  # same cache key as PyTorch: same vectors
    assert ((vectors * reference(sentence_transformer, TEXTS)).sum(axis=1)).min() >= 0.9999


def test_encoder_falls_back_to_pytorch_without_the_export(tmp_path, caplog, monkeypatch):
    monkeypatch.setattr(embeddings, "_warned_missing", False)
    missing = tmp_path / "none.onnx"
    with caplog.at_level(logging.WARNING, logger="skills_match.embeddings"):
        encoder = Encoder(onnx_path=str(missing))
        vectors = encoder.encode(["use spreadsheets software"])
        Encoder(onnx_path=str(missing)).encode(["again"])
    assert encoder.backend == "torch" and vectors.shape == (1, 384)
    warnings = [r.getMessage() for r in caplog.records if "No ONNX export" in r.getMessage()]
    assert len(warnings) == 1  # once per process
    assert "skills-match export-model" in warnings[0]


def test_encoder_falls_back_when_the_export_is_stale(exported, tmp_path, caplog):
    copy = tmp_path / exported.name
    shutil.copy(exported, copy)
    meta = read_sidecar(exported)
    meta["source"]["model.safetensors"]["size"] += 1
    sidecar_path(copy).write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="skills_match.embeddings"):
        encoder = Encoder(onnx_path=str(copy))
        encoder.encode(["use spreadsheets software"])
    assert encoder.backend == "torch"
    assert "has changed since the export" in caplog.text


def test_export_is_skipped_when_current(exported):
    before = exported.stat().st_mtime_ns
    result = export(model_path(), exported)
    assert result["exported"] is False
    assert exported.stat().st_mtime_ns == before
    meta = read_sidecar(exported)
    assert meta["source"]["model.safetensors"]["sha256"]
    assert {"torch", "onnx", "onnxruntime"} <= set(meta["versions"])
    assert meta["verification"]["min_cosine"] >= 0.9999
    assert stale_reason(exported, model_path()) is None


def test_export_is_redone_when_the_source_changes(exported, tmp_path):
    copy = tmp_path / exported.name
    shutil.copy(exported, copy)
    meta = read_sidecar(exported)
    meta["source"]["model.safetensors"]["sha256"] = "0" * 64
    sidecar_path(copy).write_text(json.dumps(meta), encoding="utf-8")
    assert "has changed" in stale_reason(copy, model_path())
    result = export(model_path(), copy, verify_texts=TEXTS)
    assert result["exported"] is True
    assert stale_reason(copy, model_path()) is None
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_damaged_export_is_not_current(exported, tmp_path):
    copy = tmp_path / exported.name
    shutil.copy(exported, copy)
    shutil.copy(sidecar_path(exported), sidecar_path(copy))
    with copy.open("r+b") as f:
        f.seek(1000)
        f.write(b"\0" * 16)
    assert "checksum" in stale_reason(copy, model_path())
    assert stale_reason(tmp_path / "absent.onnx", model_path()).endswith("does not exist")


def test_export_model_command_reports_a_current_file(exported):
    from skills_match.cli import main

    result = CliRunner().invoke(
        main, ["export-model"], env={"SKILLS_MATCH_ONNX_MODEL": str(exported)}
    )
    assert result.exit_code == 0, result.output
    assert "is current" in result.output
