"""Custom datasets (engine/custom_data.py): CSV checks name the row and column; a Trainer gets
the points from its dataset_source and applies split, features and standardization to them."""

import numpy as np
import pytest

from engine import Trainer, TrainConfig
from engine.custom_data import CustomDataError, drawn_points, parse_csv


def _csv(rows, header="x1,x2,label"):
    return header + "\n" + "\n".join(",".join(str(v) for v in r) for r in rows) + "\n"


GOOD = [(x, y, int(x > 0)) for x in (-2, -1, 1, 2) for y in (0.5, 1.5)]


def test_a_good_file_gives_points_and_kind():
    data = parse_csv(_csv(GOOD))
    assert data.rows == 8 and data.input_dim == 2 and data.kind == "binary"
    np.testing.assert_array_equal(data.x[:, 0], [r[0] for r in GOOD])
    lo, hi = data.domain[0]
    assert lo < -2 and hi > 2   # padded around the data


def test_kinds_from_the_label_column():
    multi = parse_csv(_csv([(i, i % 3) for i in range(9)], header="x1,label"))
    assert multi.kind == "multiclass" and multi.n_classes == 3 and multi.input_dim == 1
    reg = parse_csv(_csv([(i, i * 0.5) for i in range(6)], header="target,x1"))
    assert reg.kind == "regression"
    np.testing.assert_array_equal(reg.y, [i for i in range(6)])   # columns in any order


@pytest.mark.parametrize("text, row, column, words", [
    (_csv(GOOD[:16] + [(1, "abc", 0)]), 10, "x2", "'abc' is not a number"),
    (_csv(GOOD + [(1, "nan", 0)]), 10, "x2", "not a finite number"),
    (_csv(GOOD + [(1, 2, 0.5)]), 10, "label", "not a class index"),
    (_csv(GOOD + [(1, 2, 12)]), 10, "label", "not a class index"),
    (_csv(GOOD + [(1, "", 1)]), 10, "x2", "missing value"),
    (_csv(GOOD + [(1, 2, 1, 7)]), 10, "4", "4 values"),
    (_csv(GOOD, header="x1,y,label"), 1, "2", "unknown column 'y'"),
    (_csv(GOOD, header="x1,x2,x2"), 1, "x2", "appears twice"),
    (_csv(GOOD, header="x2,x1,x1"), 1, "x1", "appears twice"),
    (_csv([(1, 2) for _ in range(6)], header="x1,x2"), 1, "label", "neither label nor target"),
    (_csv([(1, 1)] * 3, header="x1,label"), 4, "x1", "at least 4"),
    (_csv([(i, 1) for i in range(6)], header="x1,label"), 2, "label", "two classes"),
    (_csv(GOOD + [(1e9, 1, 1)]), 10, "x1", "outside"),
    ("", 1, "x1", "empty"),
])
def test_bad_files_name_row_and_column(text, row, column, words):
    with pytest.raises(CustomDataError) as info:
        parse_csv(text)
    err = info.value
    assert (err.row, err.column) == (row, column)
    assert str(err).startswith(f"row {row}, column {column}: ") and words in str(err)


def test_too_many_rows_name_the_first_row_past_the_limit():
    with pytest.raises(CustomDataError, match=r"row 12, column x1: more than 10 data rows"):
        parse_csv(_csv([(i, i % 2) for i in range(11)], header="x1,label"), max_rows=10)


def test_drawn_points_stay_in_the_square():
    with pytest.raises(CustomDataError, match="row 2, column x2: 7 is outside the plot"):
        drawn_points([[0, 0, 0], [1, 7, 1], [1, 1, 1], [2, 2, 0]])


def test_trainer_learns_custom_points_with_features_and_standardization():
    rng = np.random.default_rng(0)
    x = rng.uniform(-5, 5, (200, 2))
    label = (np.hypot(*x.T) < 3).astype(int)
    data = parse_csv(_csv([(a, b, c) for (a, b), c in zip(x, label)]))
    cfg = TrainConfig(dataset="custom", custom_dataset="ring", features=["x1_sq", "x2_sq"],
                      standardize=True, hidden=[], learning_rate=0.3, train_fraction=0.7)
    t = Trainer(cfg, dataset_source={"ring": data}.get)
    assert t.n_train == 140 and t.data()["x_train"].shape == (140, 2)
    np.testing.assert_allclose(t.data()["x_train"].mean(axis=0), 0, atol=1e-12)
    raw = t.raw_data()
    assert sorted(map(tuple, np.vstack([raw["x_train"], raw["x_test"]]))) == sorted(map(tuple, x))
    t.step(3000)
    assert t.metrics()["test_accuracy"] > 0.95


def test_unknown_id_and_unfit_loss_are_refused_before_anything_changes():
    data = parse_csv(_csv([(i, i % 3) for i in range(9)], header="x1,label"))
    with pytest.raises(CustomDataError, match="no custom dataset with id 'nope'") as info:
        Trainer(TrainConfig(dataset="custom", custom_dataset="nope"), dataset_source={}.get)
    assert info.value.field == "custom_dataset"
    t = Trainer(TrainConfig(), dataset_source={"m": data}.get)
    with pytest.raises(CustomDataError, match="loss 'bce' needs a binary dataset"):
        t.set(dataset="custom", custom_dataset="m", reset=True)
    assert t.config.dataset == "circle" and t.task == "binary"
    t.set(dataset="custom", custom_dataset="m", loss="cce", reset=True)
    assert t.task == "multiclass" and t.layer_sizes[-1] == 3 and t.input_dim == 1


def test_custom_needs_an_id():
    with pytest.raises(ValueError, match="needs custom_dataset"):
        TrainConfig(dataset="custom")


def test_an_id_beside_a_built_in_dataset_is_refused_not_ignored():
    with pytest.raises(ValueError, match="custom_dataset is only read with dataset 'custom'"):
        TrainConfig(dataset="circle", custom_dataset="m")


def test_leaving_custom_drops_its_id_and_a_save_holding_the_old_pair_still_opens():
    data = parse_csv(_csv(GOOD))
    t = Trainer(TrainConfig(dataset="custom", custom_dataset="m"), dataset_source={"m": data}.get)
    t.set(dataset="xor", reset=True)
    assert t.config.dataset == "xor" and t.config.custom_dataset is None
    with pytest.raises(ValueError, match="only read with dataset 'custom'"):
        t.set(dataset="circle", custom_dataset="m", reset=True)   # both at once: refused
    assert t.config.dataset == "xor"                              # and nothing changed
    t.set(dataset="custom", custom_dataset="m", reset=True)       # back to the points
    assert t.config.custom_dataset == "m" and t.n_train == len(GOOD) // 2
    old = {**TrainConfig().model_dump(), "custom_dataset": "m"}   # saved before the rule
    assert TrainConfig.from_saved(old).custom_dataset is None
    assert TrainConfig.from_saved(t.config.model_dump()) == t.config


def test_the_schema_marks_the_reference_so_the_page_clears_it_the_same_way():
    from engine.config import config_schema
    fields = {f["name"]: f for f in config_schema()}
    assert fields["custom_dataset"]["reference"] is True
    assert fields["custom_dataset"]["applies_when"] == {"dataset": ["custom"]}
    assert not any(f.get("reference") for name, f in fields.items() if name != "custom_dataset")
