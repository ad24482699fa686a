#!/usr/bin/python3
"""Generates tests/Pipeline.Tests/Fixtures/Training/oracle.json: a fixed feature matrix and
scikit-learn's solutions of the elastic-net multinomial logistic regression objective our
ElasticNetLogisticRegression minimises,

    (1/n) sum_i -log softmax(B x_i + b)[y_i] + regParam * ((1 - a)/2 ||B||^2 + a ||B||_1).

sklearn's saga minimises C * sum_i loss_i + (1 - l1_ratio)/2 ||B||^2 + l1_ratio ||B||_1, which is
our objective times C*n when C = 1 / (regParam * n) and l1_ratio = a.

standardization=true cases scale features by 1/sigma with the SAMPLE standard deviation
(ddof=1, as Spark's Summarizer), fit on the scaled matrix, and map coefficients back by 1/sigma;
the penalty is then on sigma_j * B_kj, which is what the recorded objective uses.

Regenerate (Debian python with sklearn 1.2.1; CI never runs this):
    /usr/bin/python3 scripts/make_training_oracle.py
"""
import json
import os
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

N, D, K = 300, 20, 4
OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Pipeline.Tests", "Fixtures", "Training", "oracle.json")


def make_data():
    rng = np.random.default_rng(20240611)
    y = rng.integers(0, K, size=N)
    centers = rng.normal(0.0, 0.6, size=(K, D))
    z = centers[y] + rng.normal(0.0, 1.0, size=(N, D))
    # Correlated pairs and a spread of scales and offsets, so standardisation matters.
    z[:, 1] = 0.8 * z[:, 0] + 0.2 * z[:, 1]
    z[:, 5] = 0.5 * z[:, 4] + 0.5 * z[:, 6]
    scales = np.linspace(0.5, 3.0, D)
    offsets = np.linspace(-2.0, 2.0, D)
    x = (z * scales + offsets).astype(np.float32)
    return x, y


def objective(x, y, coef, intercept, reg, alpha, sigma):
    margins = x @ coef.T + intercept
    m = margins.max(axis=1, keepdims=True)
    lse = np.log(np.exp(margins - m).sum(axis=1)) + m[:, 0]
    loss = np.mean(lse - margins[np.arange(len(y)), y])
    scaled = coef * sigma
    return loss + reg * ((1 - alpha) / 2 * np.sum(scaled ** 2) + alpha * np.sum(np.abs(scaled)))


def newton_polish(x, y, coef, intercept, reg, steps=50):
    n = len(y)
    xa = np.hstack([x, np.ones((n, 1))])
    onehot = np.eye(K)[y]
    theta = np.hstack([coef, intercept[:, None]])  # K x (D+1)
    penalty = np.ones(D + 1)
    penalty[D] = 0.0

    def value_and_derivatives(t):
        margins = xa @ t.T
        margins -= margins.max(axis=1, keepdims=True)
        p = np.exp(margins)
        p /= p.sum(axis=1, keepdims=True)
        value = -np.mean(np.log(p[np.arange(n), y])) + reg / 2 * np.sum((t * penalty) ** 2)
        grad = (p - onehot).T @ xa / n + reg * t * penalty
        hess = np.zeros((K * (D + 1), K * (D + 1)))
        for i in range(n):
            w = np.diag(p[i]) - np.outer(p[i], p[i])
            hess += np.kron(w, np.outer(xa[i], xa[i]))
        hess /= n
        hess += reg * np.diag(np.tile(penalty, K))
        return value, grad, hess

    for _ in range(steps):
        value, grad, hess = value_and_derivatives(theta)
        # The softmax is invariant to shifting every class, so the Hessian is singular: pinv
        # gives the minimum-norm Newton step, which stays in the class-centred subspace.
        step = (np.linalg.pinv(hess, rcond=1e-12) @ grad.ravel()).reshape(theta.shape)
        t = 1.0
        while value_and_derivatives(theta - t * step)[0] > value and t > 1e-10:
            t /= 2
        theta = theta - t * step
        if np.abs(grad).max() < 1e-13:
            break
    return theta[:, :D], theta[:, D]


def fit(x, y, reg, alpha, standardization):
    x64 = x.astype(np.float64)
    sigma = x64.std(axis=0, ddof=1) if standardization else np.ones(D)
    xs = x64 / sigma
    if reg == 0:
        model = LogisticRegression(penalty="none", solver="lbfgs", tol=1e-14, max_iter=100000, multi_class="multinomial", random_state=0)
    else:
        model = LogisticRegression(penalty="elasticnet", solver="saga", C=1.0 / (reg * N), l1_ratio=alpha,
                                   tol=1e-13, max_iter=200000, multi_class="multinomial", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(xs, y)
    coef, intercept = model.coef_, model.intercept_
    if alpha == 0:
        # lbfgs and saga stop short on the flat, nearly separable low-penalty problems; polish
        # with exact Newton steps so the fixture holds the optimum, not a stopping point.
        coef, intercept = newton_polish(xs, y, coef, intercept, reg)
    coef = coef / sigma
    intercept = intercept - intercept.mean()
    return coef, intercept, objective(x64, y, coef, intercept, reg, alpha, sigma), int(np.max(model.n_iter_))


def main():
    x, y = make_data()
    settings = [
        ("l2_0.01", 0.01, 0.0, False),
        ("l2_0.1", 0.1, 0.0, False),
        ("l1_0.01", 0.01, 1.0, False),
        ("l1_0.1", 0.1, 1.0, False),
        ("elasticnet_0.05_0.5", 0.05, 0.5, False),
        ("l2_0.0001_nearly_unregularised", 1e-4, 0.0, False),
        ("unregularised", 0.0, 0.0, False),
        ("standardized_elasticnet_0.05_0.5", 0.05, 0.5, True),
        ("standardized_l2_0.1", 0.1, 0.0, True),
    ]
    cases = []
    for name, reg, alpha, std in settings:
        coef, intercept, obj, iters = fit(x, y, reg, alpha, std)
        print(f"{name}: objective {obj:.12f} after {iters} iterations, zeros {int(np.sum(coef == 0))}")
        cases.append({
            "name": name, "regParam": reg, "elasticNetParam": alpha, "standardization": std,
            "objective": float(obj), "coefficients": [float(v) for v in coef.ravel()],
            "intercepts": [float(v) for v in intercept],
        })
    doc = {
        "generator": "scripts/make_training_oracle.py (sklearn 1.2.1 saga / lbfgs)",
        "rows": N, "dimension": D, "classes": K,
        # float32 values written as the doubles they widen to, so C# reads them back exactly.
        "features": [float(v) for v in x.ravel()],
        "labels": [int(v) for v in y],
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
