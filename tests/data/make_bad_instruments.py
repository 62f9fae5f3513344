"""Regenerate tests/data/bad_instruments/*.yaml from tests/data/minimal_instrument.yaml (one defect per file).

Run after changing the base file, then update EXPECTED in tests/test_instrument.py and check every message.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
base = (HERE / "minimal_instrument.yaml").read_text(encoding="utf-8")
base = base.split("\n", 1)[1]  # drop the header comment
cases = {
 "duplicate_item_id": ("the third satisfaction item reuses the id SAT2", [("  - id: SAT3\n", "  - id: SAT2\n")]),
 "reverse_on_nps": ("reverse keying on the 0-10 NPS item", [("    kind: nps\n", "    kind: nps\n    reverse: true\n")]),
 "missing_fa_translation": ("an item text without its Persian version", [('    text: {fa: "سریع بود.", en: "It was quick."}', '    text: {en: "It was quick."}')]),
 "missing_en_name": ("a construct name without English", [('    name: {fa: "رضایت", en: "Satisfaction"}', '    name: {fa: "رضایت"}')]),
 "unknown_construct": ("a misspelt construct id on an item", [("  - id: SAT2\n    construct: satisfaction", "  - id: SAT2\n    construct: satisfacton")]),
 "too_few_items": ("the satisfaction construct keeps only two items", [("  - id: SAT3\n    construct: satisfaction\n    reverse: true\n    text: {fa: \"پشیمانم.\", en: \"I regret it.\"}\n", "")]),
 "pairs_with_unknown": ("an expectation paired with an item that does not exist", [("    pairs_with: FUN2", "    pairs_with: FUN9")]),
 "pairs_with_outcome": ("an expectation paired with an outcome item", [("    pairs_with: FUN3", "    pairs_with: SAT1")]),
 "expectation_unpaired": ("an expectation item without pairs_with", [("    pairs_with: FUN3\n", "")]),
 "scale_min_ge_max": ("a scale whose min is not below its max", [("    min: 1\n    max: 5", "    min: 5\n    max: 1")]),
 "scale_label_count": ("a 5-point scale with four English labels", [('      en: ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]', '      en: ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]')]),
 "unknown_key": ("a misspelt key (revers instead of reverse)", [("    construct: functional\n    reverse: true", "    construct: functional\n    revers: true")]),
 "bad_touchpoint": ("a touchpoint that is not in the list", [("    touchpoint: app", "    touchpoint: kiosk")]),
 "bad_reverse_type": ("reverse given as a word instead of true/false", [("    construct: satisfaction\n    reverse: true", "    construct: satisfaction\n    reverse: sometimes")]),
 "attention_no_expected": ("an attention check without the expected answer", [("    expected: 4\n", "")]),
 "attention_expected_out_of_range": ("an attention check expecting a code outside the scale", [("    expected: 4\n", "    expected: 9\n")]),
 "unknown_scale": ("an item that names a scale that is not defined", [("    scale: nps11\n    text", "    scale: nps10\n    text")]),
 "empty_text": ("an empty English text", [('en: "I am satisfied."', 'en: "  "')]),
 "duplicate_yaml_key": ("the same key twice in one mapping", [("  - id: SAT1\n    construct: satisfaction\n", "  - id: SAT1\n    construct: satisfaction\n    construct: satisfaction\n")]),
 "yaml_syntax": ("broken indentation", [("  - id: FUN2\n    construct: functional", "  - id: FUN2\n   construct: functional")]),
 "bad_item_id": ("an id that cannot be a column name", [("  - id: SAT2\n", "  - id: 2SAT\n")]),
 "construct_on_nps": ("the NPS item assigned to a construct", [("    kind: nps\n", "    kind: nps\n    construct: satisfaction\n")]),
 "two_problems": ("two defects at once: duplicate id and reverse on the attention check", [("  - id: SAT3\n", "  - id: SAT2\n"), ("    kind: attention\n", "    kind: attention\n    reverse: true\n")]),
}
for name, (why, subs) in cases.items():
    text = base
    for old, new in subs:
        assert old in text, (name, old)
        text = text.replace(old, new, 1)
    (HERE / "bad_instruments" / f"{name}.yaml").write_text(f"# broken on purpose: {why}\n" + text, encoding="utf-8")
print(len(cases))
# a stage typo, in a file whose 'stage' field defines the journey stages
text = base.replace("items:\n", """  - id: stage
    type: choice
    label: {fa: "مرحله", en: "Stage"}
    choices:
      decision: {fa: "تصمیم", en: "Decision"}
      purchase: {fa: "خرید", en: "Purchase"}
      repurchase: {fa: "خرید دوباره", en: "Repurchase"}
items:
""", 1).replace("    stage: purchase\n", "    stage: purchse\n", 1)
(HERE / "bad_instruments" / "bad_stage.yaml").write_text("# broken on purpose: a misspelt journey stage\n" + text, encoding="utf-8")
