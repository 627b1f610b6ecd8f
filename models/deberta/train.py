#!/usr/bin/env python3
"""Fine-tunes DeBERTa-v3 on labelled product names and writes an Aisle model version folder.

The folder follows the model artifact contract (docs/models.md), so the same code serves it as the
project's own model (functions/model/encoder.ts, containers/encoder):

  model.onnx      inputs input_ids, attention_mask (int64 [batch, seq]); output logits (float32 [batch, classes])
  tokenizer.json  Hugging Face tokenizers format (the fast DeBERTa-v3 tokenizer)
  labels.json     {"taxonomyName", "taxonomyVersion", "labels": ["Food > Beverages", ...], "classIds": [...]}
  metrics.json    temperature, per-class thresholds for a target precision, held-out scores, confusion matrix
  card.json       version, trainer, parent version, created time, training data hash

Heads: `--heads leaves` (default) is one classification head over the taxonomy's leaves (and inner classes
such as "Non-Food" that have rows of their own). `--heads multitask` adds a Level 1 head trained jointly; the
exported logits are still one column per class: log p(level 2 class) + log p(its level 1 class), so serving
does not change.

Runs as a SageMaker training job (Hugging Face DLC): channels `train` (and optionally `validation`) hold CSV
files with columns product_name, level1, level2 and optionally split; `taxonomy.json` is read from the
`taxonomy` channel or --taxonomy. The folder is written to SM_MODEL_DIR (/opt/ml/model), which SageMaker
uploads as model.tar.gz. See README.md. This script needs the model hub (or a local copy of the base model)
and a GPU for reasonable times; it cannot run on the project's CI machine.
"""
from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import json
import math
import os
import random
import re
import time
import unicodedata
from datetime import datetime, timezone

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader
from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

TRAINER = "deberta-v3/hf"
PATH_SEPARATOR = " > "

# ---------------------------------------------------------------------------------------------------------
# Text normalization: the same as functions/core/normalize.ts, because the server normalizes every text
# before tokenizing. Keep the two in step.
UNIT_ALIASES = {
    "oz": "oz", "ounce": "oz", "ounces": "oz", "fl oz": "floz", "fl. oz": "floz", "floz": "floz",
    "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
    "g": "g", "gr": "g", "gram": "g", "grams": "g", "kg": "kg", "kilo": "kg", "kilos": "kg", "kilogram": "kg",
    "kilograms": "kg", "mg": "mg", "ml": "ml", "milliliter": "ml", "milliliters": "ml", "millilitre": "ml",
    "millilitres": "ml", "cl": "cl", "l": "l", "lt": "l", "liter": "l", "liters": "l", "litre": "l", "litres": "l",
    "gal": "gal", "gallon": "gal", "gallons": "gal", "qt": "qt", "quart": "qt", "quarts": "qt", "pt": "pt",
    "pint": "pt", "pints": "pt", "ct": "ct", "count": "ct", "pk": "pk", "pack": "pk", "packs": "pk", "pc": "pc",
    "pcs": "pc", "piece": "pc", "pieces": "pc",
}
_UNIT_PATTERN = "|".join(
    re.escape(u).replace(r"\ ", r"\s*") for u in sorted(UNIT_ALIASES, key=len, reverse=True)
)
_QUANTITY_RE = re.compile(r"(\d+(?:[.,]\d+)?)\s*-?\s*(" + _UNIT_PATTERN + r")\.?(?![a-z])")
_MULTIPACK_RE = re.compile(r"(\d+)\s*x\s*(?=\d)")
_NON_WORD_RE = re.compile(r"[^a-z0-9.%]+")
_STRAY_DOT_RE = re.compile(r"(?<!\d)\.|\.(?!\d)")


def normalize_text(raw: str) -> str:
    s = raw.lower()
    if re.search(r"[^\x00-\x7f]", s):
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    s = re.sub(r"['\u2019`]", "", s).replace("&", " and ")
    s = re.sub(r"(\d),(\d{3})(?!\d)", r"\1\2", s)

    def unit(m: re.Match) -> str:
        key = re.sub(r"\s+", " ", m.group(2))
        return " " + m.group(1).replace(",", ".") + UNIT_ALIASES.get(key, key) + " "

    s = _QUANTITY_RE.sub(unit, s)
    s = _MULTIPACK_RE.sub(r" \1x ", s)
    s = _NON_WORD_RE.sub(" ", s)
    s = _STRAY_DOT_RE.sub(" ", s)
    return re.sub(r"\s+", " ", s).strip()


# ---------------------------------------------------------------------------------------------------------
# Taxonomy and data


class Taxonomy:
    """The classes of taxonomy.json with their paths; labels are paths joined with ' > '."""

    def __init__(self, source: dict):
        self.name = source.get("name", "")
        self.version = source["version"]
        self.classes: list[dict] = []
        self.by_label: dict[str, dict] = {}

        def walk(nodes, parent):
            for node in nodes:
                path = (parent["path"] if parent else []) + [node["name"]]
                cls = {"id": node["id"], "path": path, "label": PATH_SEPARATOR.join(path),
                       "parent": parent["id"] if parent else None}
                self.classes.append(cls)
                self.by_label[cls["label"].lower()] = cls
                walk(node.get("children") or [], cls)

        walk(source["classes"], None)
        self.by_id = {c["id"]: c for c in self.classes}

    def from_levels(self, names: list[str]) -> dict | None:
        parts = [n.strip() for n in names]
        while parts and not parts[-1]:
            parts.pop()
        return self.by_label.get(PATH_SEPARATOR.join(parts).lower()) if parts else None

    def level1_of(self, class_id: str) -> str:
        cls = self.by_id[class_id]
        while cls["parent"]:
            cls = self.by_id[cls["parent"]]
        return cls["id"]


def read_rows(paths: list[str], taxonomy: Taxonomy) -> list[dict]:
    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            for i, rec in enumerate(csv.DictReader(f), start=2):
                name = (rec.get("product_name") or rec.get("name") or "").strip()
                cls = taxonomy.from_levels([rec.get("level1") or "", rec.get("level2") or ""])
                if not name:
                    continue
                if cls is None:
                    raise SystemExit(f"{path}:{i}: {rec.get('level1')!r} / {rec.get('level2')!r} is not a class of taxonomy {taxonomy.version}")
                rows.append({"text": normalize_text(name), "classId": cls["id"], "split": (rec.get("split") or "").strip().lower()})
    return [r for r in rows if r["text"]]


def csv_files(location: str) -> list[str]:
    if os.path.isdir(location):
        files = sorted(glob.glob(os.path.join(location, "**", "*.csv"), recursive=True))
        if not files:
            raise SystemExit(f"no .csv files under {location}")
        return files
    return [location]


def stratified_split(rows: list[dict], fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    rng = random.Random(seed)
    by_class: dict[str, list[dict]] = {}
    for r in rows:
        by_class.setdefault(r["classId"], []).append(r)
    train, held = [], []
    for members in by_class.values():
        rng.shuffle(members)
        take = max(1, round(len(members) * fraction)) if len(members) >= 4 else 0
        held += members[:take]
        train += members[take:]
    return train, held


# ---------------------------------------------------------------------------------------------------------
# Model


class Classifier(nn.Module):
    """DeBERTa encoder + a head over the classes; with multitask, a Level 1 head trained alongside.

    forward(input_ids, attention_mask) returns the logits over the classes, one column per class, which is
    what the ONNX export and the server use. With multitask the columns are log-probabilities:
    log softmax(leaf head) + log softmax(level 1 head)[level 1 of the class].
    """

    def __init__(self, base: str, num_classes: int, level1_index: list[int] | None, dropout: float):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(base)
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, num_classes)
        self.multitask = level1_index is not None
        if self.multitask:
            self.level1_head = nn.Linear(hidden, max(level1_index) + 1)
            self.register_buffer("level1_index", torch.tensor(level1_index, dtype=torch.long), persistent=False)

    def heads(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        pooled = self.dropout(hidden[:, 0])  # [CLS]
        leaf = self.head(pooled)
        level1 = self.level1_head(pooled) if self.multitask else None
        return leaf, level1

    def forward(self, input_ids, attention_mask):
        leaf, level1 = self.heads(input_ids, attention_mask)
        if not self.multitask:
            return leaf
        return torch.log_softmax(leaf, -1) + torch.log_softmax(level1, -1)[:, self.level1_index]


def encoded(rows, tokenizer, class_index, max_length) -> list[tuple[list[int], int]]:
    """(token ids, class index) per row: a list is all a DataLoader needs as its dataset."""
    ids = tokenizer([r["text"] for r in rows], truncation=True, max_length=max_length)["input_ids"]
    return list(zip(ids, [class_index[r["classId"]] for r in rows]))


def collate(pad_id):
    def fn(batch):
        seq = max(len(ids) for ids, _ in batch)
        input_ids = torch.full((len(batch), seq), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), seq), dtype=torch.long)
        for i, (ids, _) in enumerate(batch):
            input_ids[i, : len(ids)] = torch.tensor(ids)
            mask[i, : len(ids)] = 1
        return input_ids, mask, torch.tensor([label for _, label in batch])

    return fn


@torch.no_grad()
def predict_logits(model, loader, device) -> tuple[np.ndarray, np.ndarray]:
    model.eval()
    out, gold = [], []
    for input_ids, mask, labels in loader:
        out.append(model(input_ids.to(device), mask.to(device)).float().cpu())
        gold.append(labels)
    return torch.cat(out).numpy(), torch.cat(gold).numpy()


# ---------------------------------------------------------------------------------------------------------
# Calibration and scores: the same method as functions/model/calibration.ts and metrics.ts.


def softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature minimizing the validation NLL (golden-section search on log T)."""

    def nll(log_t: float) -> float:
        p = softmax(logits, math.exp(log_t))
        return float(-np.mean(np.log(np.maximum(p[np.arange(len(labels)), labels], 1e-12))))

    lo, hi = math.log(0.05), math.log(20.0)
    g = (math.sqrt(5) - 1) / 2
    a, b = hi - g * (hi - lo), lo + g * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - g * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + g * (hi - lo)
            fb = nll(b)
    return math.exp((lo + hi) / 2)


def lowest_cut(scores: np.ndarray, correct: np.ndarray, target: float) -> float:
    order = np.argsort(-scores, kind="stable")
    s, c = scores[order], correct[order]
    cut, right = 1.0, 0
    for i in range(len(s)):
        right += int(c[i])
        if i + 1 < len(s) and s[i + 1] == s[i]:
            continue
        if right / (i + 1) >= target:
            cut = float(s[i])
    return cut


def choose_thresholds(pred, score, correct, class_ids, target, min_predictions=30):
    pooled = lowest_cut(score, correct, target)
    per_class = {}
    for k, class_id in enumerate(class_ids):
        mine = pred == k
        per_class[class_id] = lowest_cut(score[mine], correct[mine], target) if mine.sum() >= min_predictions else max(pooled, 0.5)
    return per_class, pooled


def level_scores(gold: list[str], predicted: list[str], labels: dict[str, str], level: str) -> dict:
    classes = sorted(set(gold) | set(predicted))
    per_class = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, predicted) if g == c and p == c)
        support = sum(1 for g in gold if g == c)
        npred = sum(1 for p in predicted if p == c)
        precision = tp / npred if npred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append({"classId": c, "label": labels.get(c, c), "support": support, "precision": precision, "recall": recall, "f1": f1})
    scored = [p for p in per_class if p["support"] > 0]
    return {
        "level": level,
        "accuracy": sum(1 for g, p in zip(gold, predicted) if g == p) / max(1, len(gold)),
        "macroF1": sum(p["f1"] for p in scored) / max(1, len(scored)),
        "perClass": per_class,
    }


def report(taxonomy, class_ids, probs, gold_idx, thresholds, version) -> dict:
    labels = {c["id"]: c["label"] for c in taxonomy.classes}
    pred_idx = probs.argmax(axis=1)
    score = probs[np.arange(len(pred_idx)), pred_idx]
    gold = [class_ids[i] for i in gold_idx]
    predicted = [class_ids[i] for i in pred_idx]
    accepted = np.array([score[i] >= thresholds[predicted[i]] for i in range(len(predicted))], dtype=bool)
    correct = pred_idx == gold_idx
    level1 = level_scores([taxonomy.level1_of(g) for g in gold], [taxonomy.level1_of(p) for p in predicted], labels, "level1")
    level2 = level_scores(gold, predicted, labels, "level2")
    covered = int(accepted.sum())
    order = np.argsort(-score, kind="stable")
    curve = []
    for share in [x / 20 for x in range(1, 21)]:
        n = max(1, int(round(share * len(order))))
        curve.append({"minScore": float(score[order[n - 1]]), "coverage": n / len(order), "accuracy": float(correct[order[:n]].mean())})
    index = {c: i for i, c in enumerate(class_ids)}
    matrix = [[0] * len(class_ids) for _ in class_ids]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    l1_covered = [taxonomy.level1_of(gold[i]) == taxonomy.level1_of(predicted[i]) for i in range(len(gold)) if accepted[i]]
    return {
        "rows": len(gold),
        "modelVersion": version,
        "taxonomyVersion": taxonomy.version,
        "levels": [level1, level2],
        "coverage": {
            "rows": covered,
            "coverage": covered / max(1, len(gold)),
            "accuracy": float(correct[accepted].mean()) if covered else 0.0,
            "level1Accuracy": float(np.mean(l1_covered)) if covered else 0.0,
        },
        "curve": curve,
        "confusion": {"classIds": class_ids, "labels": [labels[c] for c in class_ids], "matrix": matrix},
    }


# ---------------------------------------------------------------------------------------------------------


def default_taxonomy() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(os.environ.get("SM_CHANNEL_TAXONOMY", "/nonexistent"), "taxonomy.json"),
                  os.path.join(here, "..", "taxonomy.json"), os.path.join(here, "taxonomy.json"), "models/taxonomy.json"]
    return next((c for c in candidates if os.path.exists(c)), "models/taxonomy.json")


def upload_folder(folder: str, uri: str) -> None:
    """Copies the version folder to s3://bucket/prefix/ (boto3 is in every SageMaker training container)."""
    import boto3

    m = re.match(r"^s3://([^/]+)/?(.*)$", uri)
    if not m:
        raise SystemExit(f"--model-output-uri must be s3://bucket/prefix/, got {uri!r}")
    bucket, prefix = m.group(1), m.group(2)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    s3 = boto3.client("s3")
    for name in sorted(os.listdir(folder)):
        s3.upload_file(os.path.join(folder, name), bucket, prefix + name)
    print(f"uploaded {folder} to s3://{bucket}/{prefix}", flush=True)


def parse_args() -> argparse.Namespace:
    env = os.environ
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train", default=env.get("SM_CHANNEL_TRAIN"), help="CSV file or folder of CSV files")
    p.add_argument("--validation", default=env.get("SM_CHANNEL_VALIDATION") or env.get("SM_CHANNEL_HELDOUT"),
                   help="held-out CSV file or folder (channel 'validation' or 'heldout'; default: rows with split=test/validation)")
    p.add_argument("--taxonomy", default=default_taxonomy(), help="taxonomy.json (channel 'taxonomy', else models/taxonomy.json beside this script)")
    p.add_argument("--output-dir", default=env.get("SM_MODEL_DIR", "/opt/ml/model"))
    p.add_argument("--model-output-uri", default=env.get("MODEL_OUTPUT_URI"), help="s3://bucket/prefix/ to also upload the version folder to (the registry's challengers)")
    p.add_argument("--base-model", default="microsoft/deberta-v3-small", help="hub id or local folder (deberta-v3-small, -base, -large)")
    p.add_argument("--heads", choices=["leaves", "multitask"], default="leaves")
    p.add_argument("--level1-weight", type=float, default=0.3, help="loss weight of the Level 1 head (multitask)")
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--learning-rate", type=float, default=5e-5)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup-ratio", type=float, default=0.06)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--validation-fraction", type=float, default=0.1, help="calibration slice carved out of the training rows")
    p.add_argument("--target-precision", type=float, default=0.97)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--version", default=env.get("MODEL_VERSION") or f"deberta-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S')}")
    p.add_argument("--parent-version", default=env.get("PARENT_VERSION"))
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--champion-dir", default=env.get("SM_CHANNEL_CHAMPION"),
                   help="the champion's model folder (channel 'champion'): scored on the same held-out rows for evaluation.json")
    return p.parse_args()


def main() -> None:
    args = parse_args()
    if not args.train:
        raise SystemExit("--train is required (or the SageMaker 'train' channel)")
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    started = time.time()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    with open(args.taxonomy, encoding="utf-8") as f:
        taxonomy = Taxonomy(json.load(f))
    rows = read_rows(csv_files(args.train), taxonomy)
    if args.validation:
        test = read_rows(csv_files(args.validation), taxonomy)
    else:
        test = [r for r in rows if r["split"] in ("test", "validation", "holdout")]
        rows = [r for r in rows if r["split"] not in ("test", "validation", "holdout")]
    train, calib = stratified_split(rows, args.validation_fraction, args.seed)
    order = {c["id"]: i for i, c in enumerate(taxonomy.classes)}
    class_ids = sorted({r["classId"] for r in rows}, key=order.__getitem__)
    class_index = {c: i for i, c in enumerate(class_ids)}
    level1_ids = sorted({taxonomy.level1_of(c) for c in class_ids}, key=order.__getitem__)
    level1_index = [level1_ids.index(taxonomy.level1_of(c)) for c in class_ids]
    print(f"{len(train)} training rows, {len(calib)} calibration rows, {len(test)} held-out rows, {len(class_ids)} classes on {device}", flush=True)

    tokenizer = AutoTokenizer.from_pretrained(args.base_model, use_fast=True)
    model = Classifier(args.base_model, len(class_ids), level1_index if args.heads == "multitask" else None, args.dropout).to(device)
    pad = collate(tokenizer.pad_token_id)
    train_loader = DataLoader(encoded(train, tokenizer, class_index, args.max_length), batch_size=args.batch_size, shuffle=True, collate_fn=pad)
    calib_loader = DataLoader(encoded(calib, tokenizer, class_index, args.max_length), batch_size=256, collate_fn=pad)

    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    optim = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=args.learning_rate)
    steps = args.epochs * len(train_loader)
    schedule = get_linear_schedule_with_warmup(optim, int(steps * args.warmup_ratio), steps)
    use_amp = device.type == "cuda"
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp)
    loss_fn = nn.CrossEntropyLoss()
    level1_of_label = torch.tensor(level1_index, dtype=torch.long, device=device)

    for epoch in range(args.epochs):
        model.train()
        total, seen = 0.0, 0
        for step, (input_ids, mask, labels) in enumerate(train_loader):
            input_ids, mask, labels = input_ids.to(device), mask.to(device), labels.to(device)
            with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
                leaf, level1 = model.heads(input_ids, mask)
                loss = loss_fn(leaf, labels)
                if level1 is not None:
                    loss = loss + args.level1_weight * loss_fn(level1, level1_of_label[labels])
            optim.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optim)
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            scaler.step(optim)
            scaler.update()
            schedule.step()
            total += loss.item() * len(labels)
            seen += len(labels)
            if step % 100 == 0:
                print(f"epoch {epoch + 1}/{args.epochs} step {step}/{len(train_loader)} loss {total / seen:.4f}", flush=True)
        print(f"epoch {epoch + 1} done: mean loss {total / max(1, seen):.4f}", flush=True)

    # Calibration on the slice carved out of the training rows; never on the held-out rows.
    calib_logits, calib_gold = predict_logits(model, calib_loader, device)
    temperature = fit_temperature(calib_logits, calib_gold)
    calib_probs = softmax(calib_logits, temperature)
    pred = calib_probs.argmax(axis=1)
    score = calib_probs[np.arange(len(pred)), pred]
    thresholds, pooled = choose_thresholds(pred, score, pred == calib_gold, class_ids, args.target_precision)
    validation = report(taxonomy, class_ids, calib_probs, calib_gold, thresholds, args.version)
    held_out = None
    if test:
        test = [r for r in test if r["classId"] in class_index]
        test_loader = DataLoader(encoded(test, tokenizer, class_index, args.max_length), batch_size=256, collate_fn=pad)
        test_logits, test_gold = predict_logits(model, test_loader, device)
        held_out = report(taxonomy, class_ids, softmax(test_logits, temperature), test_gold, thresholds, args.version)
    headline = held_out or validation
    print(f"temperature {temperature:.3f}; level 1 accuracy {headline['levels'][0]['accuracy']:.4f}, level 2 macro-F1 {headline['levels'][1]['macroF1']:.4f}, coverage {headline['coverage']['coverage']:.3f}", flush=True)

    out = args.output_dir
    os.makedirs(out, exist_ok=True)
    model.eval().float().cpu()
    example = tokenizer(["probe text", "another longer probe text"], padding=True, return_tensors="pt")
    torch.onnx.export(
        model,
        (example["input_ids"], example["attention_mask"]),
        os.path.join(out, "model.onnx"),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "logits": {0: "batch"}},
        opset_version=args.opset,
        do_constant_folding=True,
    )
    tokenizer.backend_tokenizer.save(os.path.join(out, "tokenizer.json"))
    labels = {c["id"]: c["label"] for c in taxonomy.classes}
    write_json(os.path.join(out, "labels.json"), {
        "taxonomyName": taxonomy.name, "taxonomyVersion": taxonomy.version,
        "labels": [labels[c] for c in class_ids], "classIds": class_ids,
    })
    summary = {
        "level1Accuracy": headline["levels"][0]["accuracy"], "level1MacroF1": headline["levels"][0]["macroF1"],
        "level2Accuracy": headline["levels"][1]["accuracy"], "level2MacroF1": headline["levels"][1]["macroF1"],
        "coverage": headline["coverage"]["coverage"], "coveredAccuracy": headline["coverage"]["accuracy"],
    }
    write_json(os.path.join(out, "metrics.json"), {
        "modelVersion": args.version, "taxonomyVersion": taxonomy.version,
        "temperature": temperature, "thresholds": thresholds, "pooledThreshold": pooled,
        "targetPrecision": args.target_precision, "trainRows": len(train), "validationRows": len(calib),
        "summary": summary, "validation": validation, **({"heldOut": held_out} if held_out else {}),
    })
    digest = hashlib.sha256()
    for text, class_id in sorted((r["text"], r["classId"]) for r in train + calib):
        digest.update(f"{text}\t{class_id}\n".encode())
    write_json(os.path.join(out, "card.json"), {
        "version": args.version, "trainer": TRAINER, "parentVersion": args.parent_version,
        "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        "trainingDataHash": digest.hexdigest(), "rows": len(train) + len(calib), "classes": len(class_ids),
        "seed": args.seed, "config": {k: v for k, v in vars(args).items() if k not in ("train", "validation", "output_dir")},
        "trainSeconds": round(time.time() - started, 1),
    })
    write_evaluation(out, args, test, held_out, taxonomy)
    print(f"wrote {out}: model.onnx tokenizer.json labels.json metrics.json card.json evaluation.json", flush=True)
    if args.model_output_uri:
        upload_folder(out, args.model_output_uri)


def score_folder(folder: str, rows: list[dict], taxonomy: Taxonomy, max_length: int) -> dict:
    """
    A model folder of the artifact contract (the project's own or a DeBERTa one) on held-out rows, run as the
    server runs it: the normalized text through its tokenizer.json, model.onnx, the argmax of the logits. The
    Level 1 accuracy and Level 2 macro-F1 the promotion rule compares, in the report's shape.
    """
    import onnxruntime as ort
    from tokenizers import Tokenizer

    with open(os.path.join(folder, "labels.json"), encoding="utf-8") as f:
        class_ids = json.load(f)["classIds"]
    with open(os.path.join(folder, "metrics.json"), encoding="utf-8") as f:
        version = json.load(f).get("modelVersion") or os.path.basename(os.path.normpath(folder))
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.enable_truncation(max_length)
    pad_id = tokenizer.token_to_id("[PAD]") or 0
    session = ort.InferenceSession(os.path.join(folder, "model.onnx"), providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    predicted = []
    for start in range(0, len(rows), 256):
        encodings = tokenizer.encode_batch([r["text"] for r in rows[start:start + 256]])
        width = max(1, max(len(e.ids) for e in encodings))
        ids = np.full((len(encodings), width), pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for i, e in enumerate(encodings):
            ids[i, :len(e.ids)] = e.ids
            mask[i, :len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        logits = session.run(None, feeds)[0]
        predicted.extend(class_ids[i] for i in logits.argmax(axis=1))
    gold = [r["classId"] for r in rows]
    labels = {c["id"]: c["label"] for c in taxonomy.classes}
    return {
        "rows": len(rows),
        "modelVersion": version,
        "taxonomyVersion": taxonomy.version,
        "levels": [
            level_scores([taxonomy.level1_of(g) for g in gold], [taxonomy.level1_of(p) for p in predicted], labels, "level1"),
            level_scores(gold, predicted, labels, "level2"),
        ],
    }


def write_evaluation(out: str, args, test: list[dict], held_out: dict | None, taxonomy: Taxonomy) -> None:
    """
    evaluation.json beside the model (functions/handlers/retrain.ts evaluationSchema): the challenger and the
    champion on the same held-out rows, what the retraining state machine's evaluate step decides on.
    """
    if not held_out:
        print("no held-out rows (channel 'heldout'): no evaluation.json, the retraining state machine cannot compare this model", flush=True)
        return
    champion = None
    if args.champion_dir:
        champion_report = score_folder(args.champion_dir, test, taxonomy, args.max_length)
        champion = {"version": champion_report["modelVersion"], "report": champion_report}
    else:
        print("no --champion-dir (channel 'champion'): evaluation.json names no champion, so the challenger wins by default", flush=True)
    write_json(os.path.join(out, "evaluation.json"), {
        "heldOutRows": len(test),
        "champion": champion,
        "challenger": {"version": args.version, "report": held_out},
    })


def write_json(path: str, value) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
