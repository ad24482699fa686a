#!/usr/bin/python3
"""Writes the scikit-learn oracle for Pipeline.Evaluation as JSON fixtures.

CI never runs Python: the fixtures are committed. Regenerate (Debian's Python with sklearn 1.2.1):

    /usr/bin/python3 scripts/make_evaluation_oracle.py tests/Pipeline.Tests/Fixtures/Evaluation

Each case holds the inputs (yTrue, row-major n x K probabilities, class names) and what sklearn
computes from them, with the conventions MulticlassEvaluator documents:
  - predicted label = argmax of the row, ties to the lowest index (np.argmax, Spark's argmax);
  - precision/recall/F1 over labels = all K classes, zero_division=0;
  - row-normalised confusion matrix with all-zero rows for classes absent from yTrue;
  - one-vs-rest ROC AUC per class via label_binarize + roc_auc_score, null where the class has
    no positives or no negatives; macro ROC AUC = mean over the classes where it is defined;
  - log_loss with labels = all classes and sklearn 1.2's eps = 1e-15.
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, log_loss,
                             precision_recall_fscore_support, roc_auc_score, roc_curve)
from sklearn.preprocessing import label_binarize


def dirichlet_case(rng, n, k, signal):
    """Probabilities from a Dirichlet whose concentration leans towards the true class."""
    y = rng.integers(0, k, size=n)
    alpha = np.ones((n, k))
    alpha[np.arange(n), y] += signal
    p = np.vstack([rng.dirichlet(a) for a in alpha])
    return y, p


def never_predicted_case(rng):
    """Class 2 appears in yTrue but is never the argmax: its precision is 0/0 -> 0."""
    y, p = dirichlet_case(rng, 60, 4, 2.0)
    p[:, 2] *= 0.01
    p /= p.sum(axis=1, keepdims=True)
    return y, p


def absent_true_case(rng):
    """Class 3 never appears in yTrue but is sometimes predicted: recall 0/0 -> 0, no ROC AUC."""
    y, p = dirichlet_case(rng, 50, 4, 2.0)
    y = np.where(y == 3, rng.integers(0, 3, size=y.shape), y)
    return y, p


def ties_case(rng):
    """Probabilities quantised to tenths: many tied scores (ROC), tied argmaxes, p_y of 0 and 1."""
    n, k = 80, 3
    y = rng.integers(0, k, size=n)
    p = np.empty((n, k))
    for i in range(n):
        w = np.ones(k)
        w[y[i]] = 2.0
        p[i] = rng.multinomial(10, w / w.sum()) / 10.0
    # Certain and wrong (p_y = 0 -> clipped to eps), certain and right (p_y = 1 -> 1 - eps).
    p[0] = np.eye(k)[(y[0] + 1) % k]
    p[1] = np.eye(k)[y[1]]
    return y, p


def oracle(name, class_names, y, p):
    n, k = p.shape
    labels = list(range(k))
    pred = np.argmax(p, axis=1)
    prec, rec, f1, support = precision_recall_fscore_support(
        y, pred, labels=labels, average=None, zero_division=0)
    averages = {}
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(
            y, pred, labels=labels, average=avg, zero_division=0)
        averages[avg] = {"precision": float(ap), "recall": float(ar), "f1": float(af)}
    cm = confusion_matrix(y, pred, labels=labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        cm_norm = np.nan_to_num(cm / cm.sum(axis=1, keepdims=True))
    y_bin = label_binarize(y, classes=labels)
    aucs, curves = [], []
    for c in range(k):
        column = y_bin[:, c]
        if column.min() == column.max():
            aucs.append(None)
            curves.append(None)
            continue
        aucs.append(float(roc_auc_score(column, p[:, c])))
        fpr, tpr, thr = roc_curve(column, p[:, c])
        # sklearn 1.2 puts max(score) + 1 first; we use +infinity there, so compare from index 1.
        curves.append({"falsePositiveRate": fpr.tolist(), "truePositiveRate": tpr.tolist(),
                       "thresholdsAfterFirst": thr[1:].tolist()})
    defined = [a for a in aucs if a is not None]
    return {
        "name": name,
        "sklearnVersion": sklearn.__version__,
        "classNames": class_names,
        "yTrue": [int(v) for v in y],
        "probabilities": [float(v) for v in p.ravel()],
        "expected": {
            "predicted": [int(v) for v in pred],
            "accuracy": float(accuracy_score(y, pred)),
            "precision": prec.tolist(),
            "recall": rec.tolist(),
            "f1": f1.tolist(),
            "support": [int(s) for s in support],
            "macro": averages["macro"],
            "weighted": averages["weighted"],
            "confusionMatrix": cm.tolist(),
            "confusionMatrixRowNormalized": cm_norm.tolist(),
            "rocAuc": aucs,
            "macroRocAuc": float(np.mean(defined)) if defined else None,
            "rocCurves": curves,
            "logLoss": float(log_loss(y, p, labels=labels, eps=1e-15)),
        },
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/Pipeline.Tests/Fixtures/Evaluation"
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20240611)
    cases = [
        ("dirichlet_200x5", ["airplane", "bird", "cat", "deer", "ship"], dirichlet_case(rng, 200, 5, 1.5)),
        ("class_never_predicted", ["a", "b", "c", "d"], never_predicted_case(rng)),
        ("class_absent_from_truth", ["north", "east", "south", "west"], absent_true_case(rng)),
        ("tied_scores", ["low", "mid", "high"], ties_case(rng)),
    ]
    for name, class_names, (y, p) in cases:
        path = os.path.join(out, name + ".json")
        with open(path, "w") as f:
            json.dump(oracle(name, class_names, y, p), f, indent=1)
            f.write("\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
