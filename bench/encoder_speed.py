"""Encoder speed: the same phrases through PyTorch (sentence-transformers) and onnxruntime.

    .venv/bin/python -m bench.encoder_speed [--phrases 3000]

Phrases are ESCO labels from ``data/reference/esco_skill_labels.csv`` (every n-th row, so
short and long ones alike, the kind of text the service embeds) plus, for the one-at-a-time
rows, single phrases as a request brings them. Each backend runs with 1 thread (a service
worker) and with every core (a batch job such as ``init``); each is warmed up first. The
vectors are compared: the ONNX export must give the same ones (cosine at least 0.9999).
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from pathlib import Path

import numpy as np

from skills_match.config import REPO_ROOT, Settings
from skills_match.embeddings import model_path

from .results import machine, publish, today


def phrases(count: int) -> list[str]:
    """``count`` taxonomy labels spread over the whole label file, in file order."""
    path = REPO_ROOT / "data" / "reference" / "esco_skill_labels.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        labels = [row["label"] for row in csv.DictReader(handle)]
    step = max(1, len(labels) // count)
    return labels[::step][:count]


def timed(encode, texts: list[str]) -> tuple[float, np.ndarray]:
    """Seconds to encode ``texts`` in one call, and the vectors."""
    encode(texts[:64])  # warm-up: first-call allocations are not the steady rate
    started = time.perf_counter()
    vectors = encode(texts)
    return time.perf_counter() - started, vectors


def one_at_a_time(encode, texts: list[str]) -> float:
    """Median milliseconds to encode one phrase per call (as a request does)."""
    times = []
    for text in texts:
        started = time.perf_counter()
        encode([text])
        times.append(time.perf_counter() - started)
    return float(np.median(times) * 1000)


def main() -> None:
    """Measure both backends at 1 thread and at every core; write ``encoder-speed``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=3000)
    args = parser.parse_args()
    texts = phrases(args.phrases)
    singles = texts[: min(200, len(texts))]
    cores = os.cpu_count() or 1
    onnx_path = Path(Settings.from_env().onnx_model)
    if not onnx_path.exists():
        raise SystemExit(f"No ONNX export at {onnx_path}: run `skills-match export-model`.")

    import torch
    from sentence_transformers import SentenceTransformer

    from skills_match.onnx_model import OnnxEncoder

    model = SentenceTransformer(model_path(), device="cpu")

    def torch_encode(batch: list[str]) -> np.ndarray:
        return model.encode(batch, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

    rows, reference = [], None
    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        seconds, vectors = timed(torch_encode, texts)
        reference = vectors if reference is None else reference
        rows.append(("PyTorch", threads, seconds, one_at_a_time(torch_encode, singles), 1.0))
        encoder = OnnxEncoder(onnx_path, model_path(), threads=threads)
        seconds, vectors = timed(encoder.encode, texts)
        cosine = float((vectors * reference).sum(axis=1).min())
        rows.append(
            ("onnxruntime", threads, seconds, one_at_a_time(encoder.encode, singles), cosine)
        )

    n = len(texts)
    torch_rate = {t: n / s for name, t, s, _, _ in rows if name == "PyTorch"}
    lines = [
        f"Command: `.venv/bin/python -m bench.encoder_speed --phrases {args.phrases}` "
        f"({today()}, {machine()}). {n:,} ESCO labels ({np.mean([len(t.split()) for t in texts]):.1f} "
        f"words on average) in one call, batches of 64; then {len(singles)} of them one per "
        "call. Same process, warmed up, nothing else running in it.",
        "",
        "| backend | threads | phrases/s | vs PyTorch, same threads | one phrase per call, "
        "median ms | lowest cosine to PyTorch's vector |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, threads, seconds, single_ms, cosine in rows:
        rate = n / seconds
        lines.append(
            f"| {name} | {threads} | {rate:,.0f} | {rate / torch_rate[threads]:.1f}x | "
            f"{single_ms:.1f} | {cosine:.6f} |"
        )
    lines += [
        "",
        "The service embeds with onnxruntime on one thread per worker "
        "(`SKILLS_MATCH_ONNX_THREADS`, default 1); `init` uses every core.",
    ]
    publish("encoder-speed", lines)


if __name__ == "__main__":
    main()
