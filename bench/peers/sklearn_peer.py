"""The scikit-learn peer: fits HistGradientBoostingClassifier and LogisticRegression on Wuwei's own
feature table with Wuwei's own time split, and prints fit time and holdout AUC as JSON.

Input: a CSV with opportunity_id, label_won, part (fit | validation | holdout) and one column per
feature (empty = missing). Train = fit + validation, as Wuwei's final model sees them.
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


def main(path: str) -> None:
    table = pd.read_csv(path)
    features = [c for c in table.columns if c not in ("opportunity_id", "label_won", "part")]
    # A feature the data cannot support is entirely missing: drop it, as Wuwei does.
    features = [c for c in features if table[c].notna().any()]
    train = table[table.part != "holdout"]
    holdout = table[table.part == "holdout"]
    x_train = train[features].to_numpy(dtype=np.float64)
    y_train = train.label_won.to_numpy()
    x_holdout = holdout[features].to_numpy(dtype=np.float64)
    y_holdout = holdout.label_won.to_numpy()

    peers = {
        "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=0),
        "logistic_regression": make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=2000)),
    }
    results = {"train_rows": int(len(train)), "holdout_rows": int(len(holdout)), "features": len(features)}
    for name, model in peers.items():
        start = time.perf_counter()
        model.fit(x_train, y_train)
        fit_seconds = time.perf_counter() - start
        auc = roc_auc_score(y_holdout, model.predict_proba(x_holdout)[:, 1])
        results[name] = {"fit_seconds": round(fit_seconds, 3), "holdout_auc": round(float(auc), 4)}
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1])
