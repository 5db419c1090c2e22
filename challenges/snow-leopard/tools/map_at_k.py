"""MAP@k with Kaggle semantics (first correct label at position p scores 1/p), and top-1 accuracy.

Usage: python map_at_k.py LABELS_CSV SUBMISSION_CSV [--k 5]
Both files have columns image_id and predictions; the labels file holds one true label per image.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence

import pandas as pd


def average_precision(truth: str, predicted: Sequence[str], k: int = 5) -> float:
    """1/position of the first prediction equal to `truth` among the first k, else 0."""
    for position, label in enumerate(predicted[:k], start=1):
        if label == truth:
            return 1.0 / position
    return 0.0


def map_at_k(truths: Iterable[str], predictions: Iterable[Sequence[str]], k: int = 5) -> tuple[float, float]:
    """Mean average precision at k and top-1 accuracy over paired truths and ranked prediction lists."""
    aps: list[float] = []
    top1: list[float] = []
    for truth, predicted in zip(truths, predictions, strict=True):
        aps.append(average_precision(truth, predicted, k))
        top1.append(1.0 if len(predicted) > 0 and predicted[0] == truth else 0.0)
    if not aps:
        raise ValueError("no rows to score")
    return sum(aps) / len(aps), sum(top1) / len(top1)


def score_frames(labels: pd.DataFrame, submission: pd.DataFrame, k: int = 5) -> tuple[float, float]:
    """Score a submission frame against a labels frame (both image_id, predictions); ids must match exactly."""
    if submission["image_id"].duplicated().any():
        raise ValueError("duplicate image_id in submission")
    if set(submission["image_id"]) != set(labels["image_id"]):
        raise ValueError("submission image_ids differ from the expected set")
    sub = submission.set_index("image_id")["predictions"].fillna("").astype(str)
    lists = [sub[i].split() for i in labels["image_id"]]
    return map_at_k(labels["predictions"].astype(str), lists, k)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: print MAP@k and top-1 accuracy."""
    parser = argparse.ArgumentParser(description="Score a snow-leopard submission with MAP@k.")
    parser.add_argument("labels")
    parser.add_argument("submission")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args(argv)
    labels = pd.read_csv(args.labels, dtype=str)
    submission = pd.read_csv(args.submission, dtype=str)
    m, t = score_frames(labels, submission, args.k)
    print(f"MAP@{args.k} {m:.4f}  top-1 {t:.4f}")


if __name__ == "__main__":
    main()
