"""Peer benchmark (not a test): scikit-learn HistGradientBoostingClassifier on the rows, split and
deal-day weights Wuwei trains on (exported by export-for-peer.ts), judged on the holdout and on the
deals open at the cut against ground_truth.csv. Debian: /usr/bin/python3 with python3-sklearn.

  /usr/bin/python3 bench/models/hgb_peer.py /tmp/peer /tmp/g/ground_truth.csv
"""
import sys

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

folder, truth_csv = sys.argv[1], sys.argv[2]
train = pd.read_csv(f"{folder}/train.csv")
score = pd.read_csv(f"{folder}/score.csv")
truth = pd.read_csv(truth_csv)
features = [c for c in train.columns if c not in ("split", "weight", "label_won")]
categorical = [c for c in features if train[c].dtype == object]
for c in categorical:
    levels = {level: k for k, level in enumerate(sorted(train[c].dropna().unique()))}
    train[c] = train[c].map(levels)
    score[c] = score[c].map(levels)
mask = [c in categorical for c in features]
fit = train[train.split != "holdout"]
holdout = train[train.split == "holdout"]
model = HistGradientBoostingClassifier(categorical_features=mask, max_iter=300, learning_rate=0.05, early_stopping=True, validation_fraction=0.15, random_state=42)
model.fit(fit[features], fit.label_won, sample_weight=fit.weight)
print(f"holdout AUC {roc_auc_score(holdout.label_won, model.predict_proba(holdout[features])[:, 1]):.3f}")
open_deals = score.merge(truth[truth.final_outcome.isin(["won", "lost"])], on="opportunity_id")
p = model.predict_proba(open_deals[features])[:, 1]
won = (open_deals.final_outcome == "won").astype(int)
print(f"open deals ({len(open_deals)}): AUC {roc_auc_score(won, p):.3f}, oracle {roc_auc_score(won, open_deals.true_win_probability):.3f}, mean predicted {np.mean(p):.3f}, win rate {won.mean():.3f}")
