"""Write the cleaned bundled survey and its construct spec for psychometrics.R.

Run from the repository root before the R script:  python tests/reference/psychometrics/export_cem.py
Writes cem_clean.csv (ce.clean(load_dataset("cem_survey")), reverse-keyed items recoded; Likert items only)
and cem_spec.json ({construct: [items]} from the bundled instrument).
"""
import json
from pathlib import Path

import cem_edu as ce

out = Path(__file__).resolve().parent
inst = ce.load_instrument()
spec = inst.items_by_construct()
data = ce.clean(ce.load_dataset("cem_survey"), inst).data
cols = [c for v in spec.values() for c in v]
data[cols].to_csv(out / "cem_clean.csv", index=False)
(out / "cem_spec.json").write_text(json.dumps(spec, indent=1) + "\n")
print(data[cols].shape)
