"""The standardize hint: decided from the data, and right for `house`."""

from engine import TrainConfig, Trainer


def test_house_flat_lines_raw_learns_standardized_and_the_hint_says_so():
    raw = Trainer(TrainConfig(dataset="house", loss="mse"))
    std = Trainer(TrainConfig(dataset="house", loss="mse", standardize=True))
    hint = raw.diagnostics()["standardize_hint"]
    assert hint and "standardize" in hint and "x has root mean square" in hint
    assert std.diagnostics()["standardize_hint"] is None
    raw_loss, std_loss = raw.step(3000)["train_loss"], std.step(3000)["train_loss"]
    assert std_loss < 0.5 * raw_loss           # standardizing does fix it


def test_square_domain_datasets_get_no_hint_even_with_squared_features():
    for ds in ("circle", "spiral", "moons", "plane"):
        loss = "mse" if ds == "plane" else "bce"
        t = Trainer(TrainConfig(dataset=ds, loss=loss,
                                features=["x1", "x2", "x1_sq", "x2_sq", "x1x2"]))
        assert t.diagnostics()["standardize_hint"] is None, ds
