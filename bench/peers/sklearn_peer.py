"""The scikit-learn peer: fits HistGradientBoostingClassifier and LogisticRegression on Wuwei's own
feature table with Wuwei's own time split, and prints fit time and holdout AUC as JSON.

Input: a CSV with opportunity_id, label_won, part (fit | validation | holdout) and one column per
feature (empty = missing). Train = fit + validation, as Wuwei's final model sees them.

Columns named raw_* are the export's own columns known when the deal is created (see
bench/models/raw-columns.ts): when present, gradient boosting is also fitted on the features plus
these columns and on these columns alone (text one-hot encoded). With a second CSV of open deals
(opportunity_id and the same columns) and an output path, every peer's probabilities for the open
deals are written there, one column per peer.
"""
import json
import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

KEYS = ("opportunity_id", "label_won", "part")


def encode(frames):
    """One-hot text columns over all frames together, so train, holdout and open deals share levels."""
    joined = pd.concat(frames, keys=range(len(frames)))
    text = [c for c in joined.columns if c not in KEYS and joined[c].dtype == object]
    joined = pd.get_dummies(joined, columns=text, dummy_na=False, dtype=float)
    return [joined.xs(i) for i in range(len(frames))]


def main(path: str, score_path: str = None, out_path: str = None) -> None:
    table = pd.read_csv(path)
    score = pd.read_csv(score_path) if score_path else None
    table, score = encode([table, score])[:2] if score is not None else (encode([table])[0], None)
    columns = [c for c in table.columns if c not in KEYS]
    # A column the data cannot support is entirely missing: drop it, as Wuwei does.
    columns = [c for c in columns if table[c].notna().any()]
    raw = [c for c in columns if c.startswith("raw_")]
    features = [c for c in columns if not c.startswith("raw_")]
    train = table[table.part != "holdout"]
    holdout = table[table.part == "holdout"]
    y_train = train.label_won.to_numpy()
    y_holdout = holdout.label_won.to_numpy()

    peers = {
        "hist_gradient_boosting": (features, HistGradientBoostingClassifier(random_state=0)),
        "logistic_regression": (features, make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=2000))),
    }
    if raw:
        peers["hist_gradient_boosting_features_and_raw"] = (features + raw, HistGradientBoostingClassifier(random_state=0))
        peers["hist_gradient_boosting_raw_only"] = (raw, HistGradientBoostingClassifier(random_state=0))
    results = {"train_rows": int(len(train)), "holdout_rows": int(len(holdout)), "features": len(features), "raw_columns": len(raw)}
    predictions = pd.DataFrame({"opportunity_id": score.opportunity_id}) if score is not None else None
    for name, (used, model) in peers.items():
        x = lambda frame: frame.reindex(columns=used).to_numpy(dtype=np.float64)
        start = time.perf_counter()
        model.fit(x(train), y_train)
        fit_seconds = time.perf_counter() - start
        auc = roc_auc_score(y_holdout, model.predict_proba(x(holdout))[:, 1])
        results[name] = {"fit_seconds": round(fit_seconds, 3), "holdout_auc": round(float(auc), 4)}
        if predictions is not None:
            predictions[name] = model.predict_proba(x(score))[:, 1]
    if predictions is not None and out_path:
        predictions.to_csv(out_path, index=False)
    print(json.dumps(results))


if __name__ == "__main__":
    main(*sys.argv[1:4])
