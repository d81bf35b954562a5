"""The throughput benchmark runs all three pipelines and prints its ratio line."""

from __future__ import annotations

import re

from helpers import bench


def test_benchmark_prints_the_three_speeds_and_the_ratios(capsys) -> None:
    bench.main(["--images", "512", "--batch-size", "64", "--workers", "0", "--rounds", "2",
                "--device", "cpu"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"ratio_vs_dataloader=\d+\.\d\d ratio_vs_compute=\d+\.\d\d", lines[-1])
    assert sum("images/s" in line for line in lines) == 3


def test_seed_style_and_device_pipelines_serve_the_same_amount_of_data() -> None:
    feeds = bench.pipelines(bench.cifar_shaped(256), 64, 0, bench.resolve_device("cpu"))
    shapes = {name: [tuple(x.shape) for x, _ in feed()] for name, feed in feeds.items()}
    assert len({tuple(s) for s in shapes.values()}) == 1  # 4 batches of 64 x 3 x 32 x 32 each


def test_ratios_are_taken_within_each_round_so_one_slow_round_cannot_fake_a_result() -> None:
    # round 2: a busy neighbour slowed everything three times; the per-round ratio stays 2.0
    rounds = bench.Rounds({"device": [200.0, 66.0, 210.0], "loader": [100.0, 33.0, 105.0],
                           "compute": [220.0, 73.0, 230.0]})
    assert rounds.ratios("device", "loader") == [2.0, 2.0, 2.0]
    assert rounds.median_speed("loader") == 100.0
    assert bench.ratio_summary([1.8, 2.0, 2.3]) == "2.00x (rounds 1.80 to 2.30)"
