"""The throughput benchmark: three pipelines serving the same batches, ratios taken per round."""

from __future__ import annotations

import re

from helpers.commands import bench


def test_the_command_prints_each_speed_and_ratios_taken_from_them(capsys, monkeypatch) -> None:
    speeds = {"device loader": [300.0, 90.0], "DataLoader + PIL (0 workers)": [100.0, 45.0],
              "compute only": [330.0, 100.0]}
    monkeypatch.setattr(bench, "benchmark", lambda *a, **k: bench.Rounds(speeds))
    bench.main(["--images", "64", "--rounds", "2", "--device", "cpu"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert "device loader / DataLoader:   2.50x (rounds 2.00 to 3.00)" in lines
    assert lines[-1] == "ratio_vs_dataloader=2.50 ratio_vs_compute=0.90"
    printed = {re.sub(r"\s+", " ", line.strip()).rsplit(" ", 3)[0]
               for line in lines if "images/s" in line}
    assert printed == set(speeds)


def test_the_source_reports_pipeline_and_ours_serve_the_same_amount_of_data() -> None:
    feeds = bench.pipelines(bench.cifar_shaped(256), 64, 0, bench.resolve_device("cpu"))
    shapes = {name: [tuple(x.shape) for x, _ in feed()] for name, feed in feeds.items()}
    assert set(shapes) == {"device loader", "DataLoader + PIL (0 workers)", "compute only"}
    for name, batches in shapes.items():
        assert batches == [(64, 3, 32, 32)] * 4, name


def test_a_round_times_every_pipeline_once() -> None:
    rounds = bench.benchmark(images=128, batch_size=64, workers=0, rounds=1, device="cpu")
    assert {name: len(values) for name, values in rounds.speeds.items()} == {
        "device loader": 1, "DataLoader + PIL (0 workers)": 1, "compute only": 1}
    assert all(values[0] > 0 for values in rounds.speeds.values())


def test_ratios_are_taken_within_each_round_so_one_slow_round_cannot_fake_a_result() -> None:
    # round 2: a busy neighbour slowed everything three times; the per-round ratio stays 2.0
    rounds = bench.Rounds({"device": [200.0, 66.0, 210.0], "loader": [100.0, 33.0, 105.0],
                           "compute": [220.0, 73.0, 230.0]})
    assert rounds.ratios("device", "loader") == [2.0, 2.0, 2.0]
    assert rounds.median_speed("loader") == 100.0
    assert bench.ratio_summary([1.8, 2.0, 2.3]) == "2.00x (rounds 1.80 to 2.30)"
