from __future__ import annotations

import pandas as pd

import goldenrec as gr
from goldenrec._auto_fields import infer_extra_fields


def test_passthrough_columns_worth_comparing_become_fields() -> None:
    frame = pd.DataFrame({
        "id": [str(i) for i in range(8)],
        "first_name": ["Ann", "Ann", "Bo", "Bo", "Cy", "Cy", "Di", "Di"],
        "surname": ["Lee", "Lee", "Ray", "Ray", "Fox", "Fox", "Oz", "Oz"],
        "first_and_surname": ["ann lee"] * 2 + ["bo ray"] * 2 + ["cy fox"] * 2 + ["di oz"] * 2,
        "occupation": ["poet", "poet", "judge", "judge", "poet", None, "cook", "cook"],
        "postcode_fake": ["TW1 1AA", "TW1 1AA", "EX5 4LQ", None, "HP1 3PY", "HP1 3PY",
                          "M1 0GE", "M1 0GE"],
        "notes": [f"free text number {i} " * 5 for i in range(8)],
        "row_uuid": [f"u{i}" for i in range(8)],
    })
    mapped = gr.SchemaMapper().map({"s": frame})
    fields = {f.name: f.kind for f in infer_extra_fields(mapped.frame, mapped.mapping)}
    assert fields == {"occupation": "text", "postcode_fake": "postcode"}
    pipeline = gr.Pipeline()
    result = pipeline.resolve({"s": frame})
    names = [c.name for c in pipeline.comparisons_]
    assert "occupation" in names and "postcode_fake" in names
    assert "occupation" in result.golden.columns
    restored = gr.Pipeline.from_json(pipeline.to_json())
    assert [f.name for f in restored.auto_fields_] == ["occupation", "postcode_fake"]
    again = restored.resolve({"s": frame})
    pd.testing.assert_frame_equal(again.golden, result.golden)
    off = gr.Pipeline(auto_fields=False)
    off.resolve({"s": frame})
    assert "occupation" not in [c.name for c in off.comparisons_]
